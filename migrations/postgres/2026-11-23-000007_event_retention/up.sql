-- Events older than events.retention_days are pruned by age: find them by index.
CREATE INDEX events_created_at ON events (created_at);
