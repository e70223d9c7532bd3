DROP INDEX events_created_at;
