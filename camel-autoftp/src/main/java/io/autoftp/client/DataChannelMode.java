package io.autoftp.client;

/**
 * The four ways of opening an FTP data connection. Passive modes (EPSV, PASV) have the client connect to the server;
 * active modes (EPRT, PORT) have the server connect back to the client. The extended forms (RFC 2428) work on IPv6,
 * the classic ones (RFC 959) on IPv4 only.
 */
public enum DataChannelMode {
    EPSV(true, true),
    PASV(true, false),
    EPRT(false, true),
    PORT(false, false);

    private final boolean passive;
    private final boolean extended;

    DataChannelMode(boolean passive, boolean extended) {
        this.passive = passive;
        this.extended = extended;
    }

    public boolean isPassive() {
        return passive;
    }

    public boolean isExtended() {
        return extended;
    }

    /** "passive (EPSV)" or "active (PORT)": how the mode reads in a log line. */
    public String describe() {
        return (passive ? "passive (" : "active (") + name() + ")";
    }
}
