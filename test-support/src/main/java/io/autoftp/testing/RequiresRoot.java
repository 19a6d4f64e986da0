package io.autoftp.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test class that needs root: it runs Debian's FTP servers as a system user of their own ({@link RealFtpServer}) or
 * builds network namespaces ({@link NetworkLab}). Tagged {@value #TAG}, so that a contributor without root runs every
 * other test with {@code ./mvnw -B verify -DexcludedGroups=root}. Without that flag such a class skips itself, saying
 * what is missing, except in CI ({@code CI=true}), where a missing prerequisite fails it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(RequiresRoot.TAG)
public @interface RequiresRoot {

    String TAG = "root";
}
