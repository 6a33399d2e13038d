package migrations

// A goose Go migration: drift cannot replay it and says so.
