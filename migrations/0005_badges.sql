-- Operators sign in at the shop-floor terminal with a badge number and a PIN.
ALTER TABLE users ADD COLUMN badge TEXT;
ALTER TABLE users ADD COLUMN pin_hash TEXT;  -- argon2id PHC string, never returned
CREATE UNIQUE INDEX users_badge ON users (badge COLLATE NOCASE) WHERE badge IS NOT NULL;
