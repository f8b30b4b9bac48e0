-- bench/core: the seed of a guichet database on PostgreSQL, twin of the
-- SQLite seed in bench/core/run: :contacts contacts (ids 1..N), the first
-- :half for tenant 2, the rest for tenant 1, one message each; then the
-- identity sequences moved past them and the statistics made, so that the
-- planner knows the tables before guichetd prepares its statements.
-- psql -v contacts=N -v half=H -f bench/core/seed-pg.sql URL
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
BEGIN;
INSERT INTO contacts(id, tenant_id, channel, subject, reason, queue, priority, tags, state, version, created_at, updated_at)
SELECT i, CASE WHEN i <= :half THEN 2 ELSE 1 END,
       CASE i % 4 WHEN 0 THEN 'email' WHEN 1 THEN 'phone' WHEN 2 THEN 'chat' ELSE 'sms' END,
       'Customer request number ' || i, 'billing', 'support', i % 10, 'seed' || chr(10) || 'bench',
       CASE i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'queued' ELSE 'resolved' END, 1,
       1790000000000 + i, 1790000000000 + i
FROM generate_series(1, :contacts) AS i;
INSERT INTO messages(id, tenant_id, contact_id, kind, body, created_at)
SELECT id, tenant_id, id, 'inbound', 'Hello, my internet connection drops every evening since Monday. Can you help?', created_at
FROM contacts;
SELECT setval(pg_get_serial_sequence('contacts', 'id'), :contacts);
SELECT setval(pg_get_serial_sequence('messages', 'id'), :contacts);
COMMIT;
VACUUM ANALYZE;
CHECKPOINT;
