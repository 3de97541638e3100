-- mysqlb replicates from mysqla (172.18.0.21:3306); rendered by ha-mysql. Holds a password: keep it mode 0600.
-- The replica must be stopped before its source can change; stopping a stopped one only warns.
STOP SLAVE;
CHANGE MASTER TO
    MASTER_HOST = '172.18.0.21',
    MASTER_PORT = 3306,
    MASTER_USER = 'repl',
    MASTER_PASSWORD = 'replicationPassword-Test-Value-42',
    MASTER_AUTO_POSITION = 1,
    MASTER_SSL = 1,
    MASTER_SSL_CA = '/etc/mysql/ha-tls/ca.pem',
    MASTER_SSL_VERIFY_SERVER_CERT = 1,
    MASTER_CONNECT_RETRY = 5;
START SLAVE;
