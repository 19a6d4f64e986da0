package io.autoftp.it.camelmain;

import org.apache.camel.main.Main;

/**
 * A plain Camel Main application: it exchanges files with two partners' FTP servers through {@code autoftp://} routes
 * ({@link PartnerRoutes}), configured by {@code application.properties}. Nothing of Quarkus is involved: camel-autoftp
 * is found on the classpath like any other Camel component.
 */
public final class PartnerTransferApplication {

    private PartnerTransferApplication() {
    }

    /** A Main that scans this package for its routes and reads {@code application.properties}. */
    public static Main create() {
        return new Main(PartnerTransferApplication.class);
    }

    public static void main(String... args) throws Exception {
        create().run(args);
    }
}
