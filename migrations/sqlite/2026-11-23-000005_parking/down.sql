ALTER TABLE participants DROP COLUMN lifecycle;
DROP TABLE token_collections;
DROP TABLE token_callers;
