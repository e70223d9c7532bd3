DROP TABLE parked_participants;
DROP TABLE scheme_migrations;
