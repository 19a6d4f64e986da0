package io.autoftp.pipeline;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A partner file that is not the CSV the partner API expects. The pipeline does not retry it: the file goes to
 * {@code .error} at once and a dead-letter note says which line is wrong.
 */
// Named in routes/pipeline.yaml (onException), so Camel loads it by name, also in a native image.
@RegisterForReflection
public class InvalidCsvException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidCsvException(String message) {
        super(message);
    }

    public InvalidCsvException(String message, Throwable cause) {
        super(message, cause);
    }
}
