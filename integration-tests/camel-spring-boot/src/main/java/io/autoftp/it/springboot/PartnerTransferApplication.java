package io.autoftp.it.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Camel Spring Boot application: it exchanges files with two partners' FTP servers through {@code autoftp://}
 * routes ({@link PartnerRoutes}), configured by {@code application.properties}. Nothing of Quarkus is involved:
 * camel-autoftp is found on the classpath like any other Camel component.
 */
@SpringBootApplication
public class PartnerTransferApplication {

    public static void main(String[] args) {
        SpringApplication.run(PartnerTransferApplication.class, args);
    }
}
