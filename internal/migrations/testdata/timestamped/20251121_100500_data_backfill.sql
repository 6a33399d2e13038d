UPDATE email_verifications SET expires_at = now();
