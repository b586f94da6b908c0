-- Single sign-on sessions (scriptd_session cookie). Only the SHA-256 of the session id is stored
-- (hex), as for tokens; a row is a signed-in browser until expires_at (epoch ms) or its logout.
-- In the database rather than in memory so that sessions survive a restart and every node of a
-- cluster sees the same ones.
CREATE TABLE sessions (
  hash       TEXT    NOT NULL PRIMARY KEY,
  subject    TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  role       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
