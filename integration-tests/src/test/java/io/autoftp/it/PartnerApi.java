package io.autoftp.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the field a test resource fills with the partner's HTTP API it started: a
 * {@link com.github.tomakehurst.wiremock.WireMockServer} ({@link PipelineResource}) or a {@link StreamingSink}
 * ({@link StreamingSinkResource}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface PartnerApi {
}
