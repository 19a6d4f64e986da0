package io.autoftp.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.autoftp.testing.NetworkLab.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The lab itself: isolated, every scenario's ruleset loads, and nothing is left behind. */
@RequiresRoot
class NetworkLabTest {

    @Test
    void namespacesReachNothingOutsideTheTestNetworkAndAreRemovedOnClose() throws Exception {
        Prerequisites.require(NetworkLab.unavailableReason());
        NetworkLab lab = NetworkLab.create();
        List<String> namespaces = List.of(lab.clientNamespace(), lab.routerNamespace(), lab.serverNamespace());
        try {
            String listed = run(List.of(NetworkLab.ipCommand(), "netns", "list")).output;
            for (String ns : namespaces) {
                assertTrue(listed.contains(ns), ns + " in " + listed);
                // a routing table lookup (no packet is sent): a documentation address has no route anywhere
                Result lookup = run(List.of(NetworkLab.ipCommand(), "-n", ns, "route", "get", "192.0.2.1"));
                assertNotEquals(0, lookup.exit, ns + " has a route out: " + lookup.output);
                assertTrue(lookup.output.contains("unreachable"), lookup.output);
                String links = run(List.of(NetworkLab.ipCommand(), "-n", ns, "-o", "link")).output;
                assertFalse(links.contains("eth0"), ns + " must not see the machine's interfaces: " + links);
            }
            Result server = run(List.of(NetworkLab.ipCommand(), "-n", lab.clientNamespace(), "route", "get",
                    NetworkLab.SERVER_ADDRESS));
            assertEquals(0, server.exit, server.output);
            assertTrue(server.output.contains("via " + NetworkLab.ROUTER_CLIENT_SIDE_ADDRESS), server.output);
            assertEquals(0, lab.escapes(), lab.describe());
        } finally {
            lab.close();
        }
        String after = run(List.of(NetworkLab.ipCommand(), "netns", "list")).output;
        for (String ns : namespaces) {
            assertFalse(after.contains(ns), ns + " left behind: " + after);
        }
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyScenarioLoadsItsRulesetWithAZeroCounter(Scenario scenario) {
        Prerequisites.require(scenario.needsFtpHelper() ? NetworkLab.ftpHelperUnavailableReason()
                : NetworkLab.unavailableReason());
        try (NetworkLab lab = NetworkLab.create()) {
            lab.apply(scenario, 2121);
            assertEquals(scenario, lab.scenario());
            assertEquals(scenario == Scenario.OPEN, lab.ruleset().isEmpty(), lab.ruleset());
            assertEquals(0, lab.hits(), lab.describe());
            assertEquals(0, lab.escapes(), lab.describe());
            if (scenario != Scenario.OPEN) {
                assertTrue(lab.describe().contains("counter hits"), lab.describe());
            }
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + command);
        return new Result(p.exitValue(), out);
    }
}
