-- Users on dm2; rendered by ha-mysql. Holds a password: keep it mode 0600.
-- Kept out of the binlog, so the peer never receives these statements; it runs its own copy.
SET SESSION sql_log_bin = 0;
-- repl: the peer's replica logs in with it (REPLICATION SLAVE only).
CREATE USER IF NOT EXISTS 'repl'@'172.18.0.%' IDENTIFIED BY 'replicationPassword-Test-Value-42' REQUIRE SSL;
ALTER USER 'repl'@'172.18.0.%' IDENTIFIED BY 'replicationPassword-Test-Value-42' REQUIRE SSL;
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'172.18.0.%';
-- hacheck: HAProxy's mysql-check cannot send a password; no privileges (USAGE).
CREATE USER IF NOT EXISTS 'hacheck'@'172.18.0.%' IDENTIFIED BY '';
ALTER USER 'hacheck'@'172.18.0.%' IDENTIFIED BY '';
-- app: the application, through HAProxy; ALL on app only.
CREATE DATABASE IF NOT EXISTS `app`;
CREATE USER IF NOT EXISTS 'app'@'172.18.0.%' IDENTIFIED BY 'mysqlAppPassword-Test-Value-42' REQUIRE SSL;
ALTER USER 'app'@'172.18.0.%' IDENTIFIED BY 'mysqlAppPassword-Test-Value-42' REQUIRE SSL;
GRANT ALL ON `app`.* TO 'app'@'172.18.0.%';
SET SESSION sql_log_bin = 1;
