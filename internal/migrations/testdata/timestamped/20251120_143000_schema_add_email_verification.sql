CREATE TABLE email_verifications (token text PRIMARY KEY);
