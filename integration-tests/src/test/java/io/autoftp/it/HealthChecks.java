package io.autoftp.it;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Reading /q/health and /q/metrics in tests. */
final class HealthChecks {

    private HealthChecks() {
    }

    /** One answer of a health endpoint: the HTTP status and the JSON. */
    record Answer(int httpStatus, JsonPath json, String body) {

        String status() {
            return json.getString("status");
        }

        /** The data of the check with this name, or null when there is no such check. */
        Map<String, Object> data(String check) {
            return json.getMap("checks.find { it.name == '" + check + "' }.data");
        }

        List<String> checkNames() {
            return json.getList("checks.name", String.class);
        }
    }

    static Answer get(String path) {
        Response response = given().when().get(path);
        String body = response.asString();
        return new Answer(response.statusCode(), new JsonPath(body), body);
    }

    /** Asks {@code path} until {@code condition} holds, every 200 ms for at most {@code timeout}. */
    static Answer await(String path, Duration timeout, Predicate<Answer> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Answer answer = get(path);
        while (!condition.test(answer)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No answer of " + path + " matched within " + timeout + "; the last: "
                                         + answer.httpStatus() + " " + answer.body());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            answer = get(path);
        }
        return answer;
    }

    /**
     * The sum of the samples of a Prometheus metric whose labels include all of {@code labels}, or -1 when there is
     * none.
     */
    static double metric(String scrape, String name, Map<String, String> labels) {
        double sum = 0;
        boolean found = false;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            if (labels.entrySet().stream().allMatch(l -> line.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? sum : -1;
    }
}
