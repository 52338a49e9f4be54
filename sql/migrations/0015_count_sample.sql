-- The order list's count beyond 10,000 matches is an estimate from a
-- sample; tsm_system_rows samples a fixed number of rows, so the estimate
-- costs the same at 1,000,000 orders as at 10,000,000 (a percentage sample
-- grew with the table). A trusted contrib extension, like pg_trgm.
CREATE EXTENSION IF NOT EXISTS tsm_system_rows SCHEMA public;
