-- API tokens. Only the SHA-256 of a token is stored (hex); the token itself is shown once at creation.
CREATE TABLE tokens (
  id           TEXT    NOT NULL PRIMARY KEY,
  name         TEXT    NOT NULL,
  role         TEXT    NOT NULL,
  hash         TEXT    NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
);
