package io.autoftp.camel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.sql.DataSource;

/**
 * The JDBC of the stores replicas share ({@link JdbcClaimRepository}, {@link JdbcModeMemoryStore}): one connection
 * per statement from the (pooled) data source, autocommit, each statement atomic; PostgreSQL.
 */
final class JdbcStore {

    private static final Pattern SQL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /** A row of a query, read from its result. */
    interface Row<T> {
        T read(ResultSet result) throws SQLException;
    }

    private final DataSource dataSource;
    /** What the store is, for messages ("Claim store"). */
    private final String what;

    JdbcStore(DataSource dataSource, String what) {
        this.dataSource = dataSource;
        this.what = what;
    }

    static String checkTableName(String table) {
        if (!SQL_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("Table name '" + table + "' is not a plain SQL name");
        }
        return table;
    }

    int update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = prepare(connection, sql, parameters)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new JdbcStoreException(what + ": " + e.getMessage(), e);
        }
    }

    /** The first row, if any. */
    <T> Optional<T> queryOne(Row<T> row, String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = prepare(connection, sql, parameters);
             ResultSet result = statement.executeQuery()) {
            return result.next() ? Optional.ofNullable(row.read(result)) : Optional.empty();
        } catch (SQLException e) {
            throw new JdbcStoreException(what + ": " + e.getMessage(), e);
        }
    }

    long count(String sql, Object... parameters) {
        return queryOne(result -> result.getLong(1), sql, parameters).orElse(0L);
    }

    /**
     * {@code CREATE TABLE IF NOT EXISTS}, serialised by a transaction-scoped advisory lock: replicas start together,
     * and PostgreSQL does not make concurrent {@code CREATE TABLE IF NOT EXISTS} safe against itself.
     */
    void createTable(String table, String columns) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_xact_lock(hashtext('" + table + "'))");
                statement.execute("CREATE TABLE IF NOT EXISTS " + table + " (" + columns + ")");
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new JdbcStoreException("Cannot create the table " + table + " of the " + what.toLowerCase() + ": "
                                         + e.getMessage() + " (create it as documented, or give the user the right"
                                         + " to)", e);
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }

    /** A store shared by the replicas could not be reached or refused a statement. */
    public static final class JdbcStoreException extends RuntimeException {
        JdbcStoreException(String message, SQLException cause) {
            super(message, cause);
        }
    }
}
