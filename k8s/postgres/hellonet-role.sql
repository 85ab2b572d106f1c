-- Run once by the postgres image's entry point when it initialises an empty data directory (as the superuser, in
-- the database POSTGRES_DB). hellonet's role gets what its nodes and `hellonet init-sequence` use, and nothing else:
-- log in, read and move the mark of its one table, and add its row. It owns nothing, cannot create tables, delete or
-- truncate rows, or create roles or databases. The password comes from the environment (the Secret), never from here.
\set ON_ERROR_STOP on
\getenv app_password HELLONET_PASSWORD
SELECT coalesce(:'app_password', '') <> '' AS has_password \gset
\if :has_password
\else
  DO $$ BEGIN RAISE EXCEPTION 'HELLONET_PASSWORD is empty: set the postgres-password key of the hellonet-secrets Secret'; END $$;
\endif

CREATE ROLE hellonet LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO hellonet;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO hellonet;

-- The same table the nodes would create (PostgresSequenceStore.CREATE), owned by the superuser.
CREATE TABLE hellonet_sequence (name text PRIMARY KEY, high_water bigint NOT NULL CHECK (high_water >= 1));
GRANT SELECT, INSERT, UPDATE ON hellonet_sequence TO hellonet;
-- The nodes of a cluster compare the database's identity (its system identifier) before they serve a number.
-- PUBLIC may call it by default; granted explicitly so that a hardened server keeps working.
GRANT EXECUTE ON FUNCTION pg_control_system() TO hellonet;
