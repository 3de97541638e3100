-- Galera users of cluster pxc; rendered by ha-mysql. Holds passwords: keep it mode 0600.
-- Run on the bootstrap node only; the cluster replicates it to every joiner.
-- clustercheck: the clustercheck service inside each node logs in locally.
CREATE USER IF NOT EXISTS 'clustercheck'@'localhost' IDENTIFIED BY 'clustercheckPassword-Test-Value-42';
ALTER USER 'clustercheck'@'localhost' IDENTIFIED BY 'clustercheckPassword-Test-Value-42';
GRANT PROCESS ON *.* TO 'clustercheck'@'localhost';
CREATE USER IF NOT EXISTS 'clustercheck'@'127.0.0.1' IDENTIFIED BY 'clustercheckPassword-Test-Value-42';
ALTER USER 'clustercheck'@'127.0.0.1' IDENTIFIED BY 'clustercheckPassword-Test-Value-42';
GRANT PROCESS ON *.* TO 'clustercheck'@'127.0.0.1';
-- xtrabackup: xtrabackup-v2 on the donor logs in over the socket.
CREATE USER IF NOT EXISTS 'xtrabackup'@'localhost' IDENTIFIED BY 'sstPassword-Test-Value-42';
ALTER USER 'xtrabackup'@'localhost' IDENTIFIED BY 'sstPassword-Test-Value-42';
GRANT RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT ON *.* TO 'xtrabackup'@'localhost';
