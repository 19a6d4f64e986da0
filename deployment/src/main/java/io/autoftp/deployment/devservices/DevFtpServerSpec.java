package io.autoftp.deployment.devservices;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one Dev Services FTP server is: everything that, when changed, needs a new server. Two builds that compute equal
 * specs share the running server (test classes with the same configuration, a live reload that did not touch it).
 *
 * @param name          the named server, as in {@code quarkus.autoftp.servers.<name>}
 * @param port          the control port to listen on, or 0 for a free one
 * @param username      the one user that may log in
 * @param password      its password
 * @param refuseActive  PORT and EPRT are answered with 501
 * @param refusePassive PASV and EPSV are answered with 502
 * @param seedDirectory copied into the home directory at start, absolute and normalized
 */
public record DevFtpServerSpec(String name, int port, String username, String password, boolean refuseActive,
        boolean refusePassive, Optional<Path> seedDirectory) {

    public DevFtpServerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, not " + port);
        }
        seedDirectory = seedDirectory.map(p -> p.toAbsolutePath().normalize());
    }

    /** "refuses passive (PASV/EPSV answer 502)", "accepts passive and active", ... for log lines. */
    public String describeRefusals() {
        List<String> refused = new ArrayList<>();
        if (refusePassive) {
            refused.add("refuses passive mode (PASV/EPSV answer 502)");
        }
        if (refuseActive) {
            refused.add("refuses active mode (PORT/EPRT answer 501)");
        }
        return refused.isEmpty() ? "accepts passive and active mode" : String.join(" and ", refused);
    }

    /** The password is left out, so that a spec can be logged. */
    @Override
    public String toString() {
        return "DevFtpServerSpec[name=" + name + ", port=" + port + ", username=" + username + ", refuseActive="
               + refuseActive + ", refusePassive=" + refusePassive + ", seedDirectory=" + seedDirectory.orElse(null)
               + "]";
    }
}
