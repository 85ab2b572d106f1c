-- Run once by the postgres image's entry point when it initialises an empty data directory (as the superuser, in
-- the database POSTGRES_DB). hellonet's role gets what its nodes and `hellonet init-sequence` use, and nothing else:
-- log in, read and move the mark of its sequence table and add its row, and keep crawl jobs in their tables. It owns
-- nothing, cannot create tables, delete sequence rows, truncate rows, or create roles or databases. The password comes from the environment (the Secret), never from here.
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

-- The crawl jobs (crawler.store=postgres), as `hellonet init` creates them at schema version 1 (CrawlSchema): the
-- role cannot create tables, so they are made here, and init finds them current. Nodes add, change and evict
-- (delete) jobs and their rows.
CREATE TABLE hellonet_schema_version (component text PRIMARY KEY, version int NOT NULL);
CREATE TABLE hellonet_crawl_job (id text PRIMARY KEY, created_at timestamptz NOT NULL, request jsonb NOT NULL,
  client text, status text NOT NULL, summary jsonb NOT NULL, pages int NOT NULL DEFAULT 0,
  items int NOT NULL DEFAULT 0, downloads int NOT NULL DEFAULT 0, owner text, lease_until timestamptz,
  epoch bigint NOT NULL DEFAULT 0, cancel_requested text, finished_at timestamptz);
CREATE INDEX hellonet_crawl_job_created ON hellonet_crawl_job (created_at DESC, id DESC);
CREATE INDEX hellonet_crawl_job_running ON hellonet_crawl_job (lease_until) WHERE status = 'running';
CREATE TABLE hellonet_crawl_page (job_id text NOT NULL REFERENCES hellonet_crawl_job (id) ON DELETE CASCADE,
  seq int NOT NULL, url text NOT NULL, depth int NOT NULL, referrer text, crawl boolean NOT NULL,
  detail boolean NOT NULL, status text NOT NULL, http_status int, final_url text, bytes bigint NOT NULL,
  attempts int NOT NULL, elapsed_ms bigint NOT NULL, title text, error text, detail_fields jsonb,
  PRIMARY KEY (job_id, seq), UNIQUE (job_id, url));
CREATE INDEX hellonet_crawl_page_pending ON hellonet_crawl_page (job_id) WHERE status = 'pending';
CREATE TABLE hellonet_crawl_item (job_id text NOT NULL REFERENCES hellonet_crawl_job (id) ON DELETE CASCADE,
  seq int NOT NULL, page_url text NOT NULL, page_index int NOT NULL, fields jsonb NOT NULL, waiting_for text,
  PRIMARY KEY (job_id, seq), UNIQUE (job_id, page_url, page_index));
CREATE TABLE hellonet_crawl_download (job_id text NOT NULL REFERENCES hellonet_crawl_job (id) ON DELETE CASCADE,
  seq int NOT NULL, url text NOT NULL, file text, status text NOT NULL, http_status int, bytes bigint NOT NULL,
  attempts int NOT NULL, error text, node text, path text, PRIMARY KEY (job_id, seq));
INSERT INTO hellonet_schema_version (component, version) VALUES ('crawl', 1);
GRANT SELECT ON hellonet_schema_version TO hellonet;
GRANT SELECT, INSERT, UPDATE, DELETE ON hellonet_crawl_job, hellonet_crawl_page, hellonet_crawl_item,
  hellonet_crawl_download TO hellonet;
