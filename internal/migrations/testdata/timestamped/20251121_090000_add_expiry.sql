ALTER TABLE email_verifications ADD COLUMN expires_at timestamptz;
