// Runs once, in the home database, before anything else.
CREATE DATABASE movies IF NOT EXISTS;
