package dev.kiln.server.history;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The history in a database through JDBC: builds, their events and the scheduler's runs. The schema is
 * Flyway's versioned migrations ({@code db/migration}), the same for the embedded H2 file database and
 * PostgreSQL, so that replicas sharing one PostgreSQL share one history.
 */
public final class History implements AutoCloseable {
    private final HikariDataSource pool;

    private History(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Opens the database at {@code url} and brings its schema up to date. */
    public static History open(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(8);
        config.setPoolName("kiln-history");
        HikariDataSource pool = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new History(pool);
    }

    /** Whether the database answers. */
    public boolean usable() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Records a new build. */
    public void insert(BuildRecord b) {
        update("INSERT INTO builds (id, kind, status, submitter, target, replica, request, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                b.id(), b.kind(), b.status(), b.submitter(), b.target(), b.replica(), b.request(), b.submittedAt());
    }

    /** The build started at {@code at}. */
    public void started(String id, long at) {
        update("UPDATE builds SET status = ?, started_at = ? WHERE id = ?", BuildStatus.RUNNING.wire(), at, id);
    }

    /** The build ended: its final status, and its result and figures when it succeeded. */
    public void finished(String id, BuildStatus status, long at, String error, String result, String image, String digest,
                         String cacheLevel, Long bytesDownloaded, Long bytesUploaded, Long bytesSaved) {
        update("UPDATE builds SET status = ?, finished_at = ?, error = ?, result = ?, image = ?, digest = ?, cache_level = ?, "
                        + "bytes_downloaded = ?, bytes_uploaded = ?, bytes_saved = ? WHERE id = ?",
                status.wire(), at, error, result, image, digest, cacheLevel, bytesDownloaded, bytesUploaded, bytesSaved, id);
    }

    /**
     * Builds of {@code replica} still queued or running (it died before they ended): {@code interrupted}
     * now. Returns their ids.
     */
    public List<String> interrupt(String replica, long at) {
        List<String> ids = new ArrayList<>();
        query("SELECT id FROM builds WHERE replica = ? AND status IN (?, ?)", rs -> ids.add(rs.getString(1)),
                replica, BuildStatus.QUEUED.wire(), BuildStatus.RUNNING.wire());
        for (String id : ids) {
            update("UPDATE builds SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status IN (?, ?)",
                    BuildStatus.INTERRUPTED.wire(), at, "the service stopped before the build ended", id, BuildStatus.QUEUED.wire(),
                    BuildStatus.RUNNING.wire());
        }
        return ids;
    }

    /** Appends events, in one batch. */
    public void append(List<StoredEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        try (Connection c = pool.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO build_events (build_id, seq, at, type, data) VALUES (?, ?, ?, ?, ?)")) {
            for (StoredEvent e : events) {
                bind(insert, e.buildId(), e.seq(), e.at(), e.type(), e.data());
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new HistoryException("cannot store events", e);
        }
    }

    /** The build {@code id}, if the history has it. */
    public Optional<BuildRecord> find(String id) {
        List<BuildRecord> found = new ArrayList<>();
        query("SELECT * FROM builds WHERE id = ?", rs -> found.add(record(rs)), id);
        return found.stream().findFirst();
    }

    /**
     * Builds newest first: of {@code status} ({@code null}: any), submitted before {@code before}
     * ({@code null}: now), at most {@code limit}.
     */
    public List<BuildRecord> list(String status, Long before, int limit) {
        List<BuildRecord> found = new ArrayList<>();
        long until = before == null ? Long.MAX_VALUE : before;
        if (status == null) {
            query("SELECT * FROM builds WHERE submitted_at < ? ORDER BY submitted_at DESC, id DESC LIMIT ?", rs -> found.add(record(rs)),
                    until, limit);
        } else {
            query("SELECT * FROM builds WHERE status = ? AND submitted_at < ? ORDER BY submitted_at DESC, id DESC LIMIT ?",
                    rs -> found.add(record(rs)), status, until, limit);
        }
        return found;
    }

    /** Builds submitted at or after {@code since}, oldest first (for the statistics). */
    public List<BuildRecord> since(long since) {
        List<BuildRecord> found = new ArrayList<>();
        query("SELECT * FROM builds WHERE submitted_at >= ? ORDER BY submitted_at", rs -> found.add(record(rs)), since);
        return found;
    }

    /** The build's events after {@code afterSeq}, in order. */
    public List<StoredEvent> events(String id, long afterSeq) {
        List<StoredEvent> found = new ArrayList<>();
        query("SELECT build_id, seq, at, type, data FROM build_events WHERE build_id = ? AND seq > ? ORDER BY seq",
                rs -> found.add(new StoredEvent(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5))),
                id, afterSeq);
        return found;
    }

    /**
     * Retention: removes finished builds (with their events) submitted before {@code olderThan}, and
     * all but the newest {@code keep} builds. Returns how many were removed.
     */
    public int prune(long olderThan, int keep) {
        List<String> ids = new ArrayList<>();
        query("SELECT id, submitted_at FROM builds WHERE status NOT IN (?, ?) ORDER BY submitted_at DESC, id DESC", new RowHandler() {
            private int seen;

            @Override
            public void row(ResultSet rs) throws SQLException {
                seen++;
                if (seen > keep || rs.getLong(2) < olderThan) {
                    ids.add(rs.getString(1));
                }
            }
        }, BuildStatus.QUEUED.wire(), BuildStatus.RUNNING.wire());
        for (String id : ids) {
            update("DELETE FROM build_events WHERE build_id = ?", id);
            update("DELETE FROM builds WHERE id = ?", id);
        }
        return ids.size();
    }

    /** Records a scheduled run. */
    public void record(ScheduleRun run) {
        update("INSERT INTO schedule_runs (schedule, replica, started_at, finished_at, found, did, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
                run.schedule(), run.replica(), run.startedAt(), run.finishedAt(), run.found(), run.did(), run.error());
    }

    /** The last {@code limit} runs of {@code schedule}, newest first. */
    public List<ScheduleRun> runs(String schedule, int limit) {
        List<ScheduleRun> found = new ArrayList<>();
        query("SELECT schedule, replica, started_at, finished_at, found, did, error FROM schedule_runs WHERE schedule = ? "
                        + "ORDER BY started_at DESC, id DESC LIMIT ?",
                rs -> found.add(new ScheduleRun(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                        rs.getString(6), rs.getString(7))), schedule, limit);
        return found;
    }

    @Override
    public void close() {
        pool.close();
    }

    private static BuildRecord record(ResultSet rs) throws SQLException {
        return new BuildRecord(rs.getString("id"), rs.getString("kind"), rs.getString("status"), rs.getString("submitter"),
                rs.getString("target"), rs.getString("replica"), rs.getString("request"), rs.getLong("submitted_at"),
                nullableLong(rs, "started_at"), nullableLong(rs, "finished_at"), rs.getString("error"), rs.getString("result"),
                rs.getString("image"), rs.getString("digest"), rs.getString("cache_level"), nullableLong(rs, "bytes_downloaded"),
                nullableLong(rs, "bytes_uploaded"), nullableLong(rs, "bytes_saved"));
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    @FunctionalInterface
    private interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    private void query(String sql, RowHandler handler, Object... args) {
        try (Connection c = pool.getConnection(); PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, args);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    handler.row(rs);
                }
            }
        } catch (SQLException e) {
            throw new HistoryException("cannot read the history", e);
        }
    }

    private void update(String sql, Object... args) {
        try (Connection c = pool.getConnection(); PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, args);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new HistoryException("cannot write the history", e);
        }
    }

    private static void bind(PreparedStatement statement, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg == null) {
                statement.setNull(i + 1, Types.NULL);
            } else if (arg instanceof Long l) {
                statement.setLong(i + 1, l);
            } else if (arg instanceof Integer n) {
                statement.setInt(i + 1, n);
            } else {
                statement.setString(i + 1, arg.toString());
            }
        }
    }

    /** The database failed; the message says what the service was doing. */
    public static final class HistoryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HistoryException(String what, SQLException cause) {
            super(what + ": " + cause.getMessage(), cause);
        }
    }
}
