package io.autoftp.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the {@link io.autoftp.testing.EmbeddedFtpServer} fields of a test that {@link FtpServersResource} fills in:
 * {@code partner} (refuses passive mode) and {@code target} (refuses active mode), chosen by field name.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface FtpServers {
}
