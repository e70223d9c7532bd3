DROP TABLE participant_archive;
DROP TABLE migration_history;
DROP TABLE migrations;
