package io.autoftp.camel;

import java.sql.Timestamp;
import java.util.Optional;

import javax.sql.DataSource;

import io.autoftp.client.DataChannelMode;
import io.autoftp.client.ModeMemory;

/**
 * The data channel mode memory shared by the replicas of a service, in a PostgreSQL table next to the claims: a
 * replica that starts after another one learned that a server needs active mode uses it at once instead of waiting
 * for passive mode to time out first. Give it to a component's memory:
 * {@code component.getModeMemory().setSharedStore(new JdbcModeMemoryStore(dataSource))}.
 *
 * <pre>
 * CREATE TABLE autoftp_mode_memory (
 *   name       VARCHAR(255) NOT NULL,   -- the service's name, as the claims'
 *   server     VARCHAR(300) NOT NULL,   -- host:port
 *   mode       VARCHAR(8) NOT NULL,     -- EPSV, PASV, EPRT or PORT
 *   learned_at TIMESTAMP WITH TIME ZONE NOT NULL,
 *   reason     TEXT NOT NULL,           -- why earlier modes were passed over
 *   PRIMARY KEY (name, server))
 * </pre>
 */
public class JdbcModeMemoryStore implements ModeMemory.SharedStore {

    public static final String DEFAULT_TABLE = "autoftp_mode_memory";

    private final JdbcStore jdbc;
    private final String name;
    private final String table;
    private volatile boolean tableReady;

    public JdbcModeMemoryStore(DataSource dataSource) {
        this(dataSource, JdbcClaimRepository.DEFAULT_NAME, DEFAULT_TABLE);
    }

    public JdbcModeMemoryStore(DataSource dataSource, String name, String table) {
        this.jdbc = new JdbcStore(dataSource, "Shared data channel memory");
        this.name = name;
        this.table = JdbcStore.checkTableName(table);
    }

    @Override
    public Optional<ModeMemory.Entry> load(String server) {
        ensureTable();
        return jdbc.queryOne(row -> new ModeMemory.Entry(DataChannelMode.valueOf(row.getString(1)),
                        row.getTimestamp(2).toInstant(), row.getString(3)),
                "SELECT mode, learned_at, reason FROM " + table + " WHERE name = ? AND server = ?", name, server);
    }

    @Override
    public void save(String server, ModeMemory.Entry entry) {
        ensureTable();
        jdbc.update("INSERT INTO " + table + " (name, server, mode, learned_at, reason) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT (name, server) DO UPDATE SET mode = EXCLUDED.mode,"
                    + " learned_at = EXCLUDED.learned_at, reason = EXCLUDED.reason",
                name, server, entry.mode().name(), Timestamp.from(entry.learnedAt()), entry.reason());
    }

    @Override
    public void delete(String server, DataChannelMode failed) {
        ensureTable();
        jdbc.update("DELETE FROM " + table + " WHERE name = ? AND server = ? AND mode = ?", name, server,
                failed.name());
    }

    private void ensureTable() {
        if (!tableReady) {
            jdbc.createTable(table, "name VARCHAR(255) NOT NULL, server VARCHAR(300) NOT NULL,"
                                    + " mode VARCHAR(8) NOT NULL, learned_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                                    + " reason TEXT NOT NULL, PRIMARY KEY (name, server)");
            tableReady = true;
        }
    }

    @Override
    public String toString() {
        return "JdbcModeMemoryStore[" + name + " in " + table + "]";
    }
}
