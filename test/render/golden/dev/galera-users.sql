-- Galera users of cluster pxc; rendered by ha-mysql. Holds passwords: keep it mode 0600.
-- Run on the bootstrap node only; the cluster replicates it to every joiner.
-- clustercheck: the clustercheck service inside each node logs in locally.
CREATE USER IF NOT EXISTS 'clustercheck'@'localhost' IDENTIFIED BY 'clustercheckPassword-Test-Value-42';
ALTER USER 'clustercheck'@'localhost' IDENTIFIED BY 'clustercheckPassword-Test-Value-42';
GRANT USAGE ON *.* TO 'clustercheck'@'localhost';
CREATE USER IF NOT EXISTS 'clustercheck'@'127.0.0.1' IDENTIFIED BY 'clustercheckPassword-Test-Value-42';
ALTER USER 'clustercheck'@'127.0.0.1' IDENTIFIED BY 'clustercheckPassword-Test-Value-42';
GRANT USAGE ON *.* TO 'clustercheck'@'127.0.0.1';
-- mariabackup: mariabackup on the donor logs in over the socket.
CREATE USER IF NOT EXISTS 'mariabackup'@'localhost' IDENTIFIED BY 'sstPassword-Test-Value-42';
ALTER USER 'mariabackup'@'localhost' IDENTIFIED BY 'sstPassword-Test-Value-42';
GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO 'mariabackup'@'localhost';
-- app: the application, through HAProxy; ALL on app only.
CREATE DATABASE IF NOT EXISTS `app`;
CREATE USER IF NOT EXISTS 'app'@'172.18.0.%' IDENTIFIED BY 'mysqlAppPassword-Test-Value-42' REQUIRE SSL;
ALTER USER 'app'@'172.18.0.%' IDENTIFIED BY 'mysqlAppPassword-Test-Value-42' REQUIRE SSL;
GRANT ALL ON `app`.* TO 'app'@'172.18.0.%';
