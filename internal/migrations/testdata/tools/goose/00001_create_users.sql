-- +goose Up
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION users_touch() RETURNS trigger LANGUAGE plpgsql AS '
BEGIN
    NEW.email := lower(NEW.email);
    RETURN NEW;
END;
';
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION users_touch();
DROP TABLE users;
