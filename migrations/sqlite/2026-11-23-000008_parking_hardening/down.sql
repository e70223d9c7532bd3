DROP TABLE token_prepare_claims;
ALTER TABLE token_collections DROP COLUMN attempts;
