package io.autoftp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.tooling.model.ComponentModel;
import org.apache.camel.tooling.model.JsonMapper;
import org.apache.camel.util.StringHelper;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * Every code block of README.md and of the documentation pages (docs/modules/ROOT/pages/*.adoc, not the generated
 * includes) is checked here, so that a reader who copies one gets something that works:
 * <ul>
 * <li>YAML: parsed; a Camel route file (a list of {@code - route:}, {@code - from:}, {@code - rest:}, ...) is loaded by
 * Camel's YAML DSL into a {@link DefaultCamelContext} that is never started, which rejects unknown or misplaced fields
 * (a {@code steps:} beside {@code from:}); every route must have a step (Camel refuses to start a route without one)
 * and every endpoint URI must create an endpoint, which rejects unknown options and bad values
 * ({@code {{placeholders}}} get a dummy value, or their default);</li>
 * <li>Java: compiled in memory against the test classpath, with {@link #JAVA_IMPORTS}. A fragment of statements
 * ({@code from("...").to("...");}) is the body of {@code RouteBuilder#configure()} and is run, its routes checked
 * as the YAML ones; class members ({@code @Bean ComponentCustomizer ...() {...}}) go into a class (compiled only); a
 * snippet declaring a class is a compilation unit. Spring is not on this classpath: a stub of
 * {@code org.springframework.context.annotation.Bean} is compiled with the snippets (nothing else of Spring is
 * provided);</li>
 * <li>properties: every {@code quarkus.autoftp.*} key (without a {@code %profile.} prefix) must be a property of the
 * generated reference {@code includes/quarkus-autoftp.adoc}, a map key ({@code "server-name"}, {@code "option"})
 * standing for any name, {@code <name>} included; every {@code camel.component.autoftp[s].*} key must be an option of
 * the component;</li>
 * <li>XML: well-formed (a fragment of several elements is parsed inside one root); JSON: well-formed;</li>
 * <li>blocks without a language, and shell, console or log output: not run. Such a block that looks like a YAML route,
 * a Java route or properties is reported, so that a snippet cannot escape by losing its language.</li>
 * </ul>
 * All broken snippets are listed at once, each with its file and line.
 */
class DocSnippetsTest {

    /** The imports a reader adds to a Java snippet; the snippets are compiled with all of them. */
    static final List<String> JAVA_IMPORTS = List.of(
            "org.apache.camel.*",
            "org.apache.camel.builder.*",
            "org.apache.camel.spi.*",
            "io.autoftp.camel.*",
            "io.autoftp.client.*",
            "java.time.*",
            "java.util.*",
            "org.springframework.context.annotation.Bean");

    /** Stands in for Spring's {@code @Bean}, which is not on this classpath (see the class comment). */
    static final String SPRING_BEAN_STUB = """
            package org.springframework.context.annotation;
            @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
            @java.lang.annotation.Target({java.lang.annotation.ElementType.METHOD,
                    java.lang.annotation.ElementType.ANNOTATION_TYPE})
            public @interface Bean {
                String[] value() default {};
                String[] name() default {};
            }
            """;

    /** Languages of blocks that are shown, not run: commands, console sessions, logs, diagrams, SQL (the claim table). */
    static final Set<String> NOT_RUN = Set.of("", "shell", "sh", "bash", "console", "text", "txt", "plaintext",
            "output", "log", "none", "sql");

    /** Top-level keys of Camel's YAML DSL. */
    static final Set<String> CAMEL_YAML_KEYS = Set.of("route", "from", "rest", "routeConfiguration",
            "route-configuration", "routeTemplate", "route-template", "templatedRoute", "templated-route", "beans",
            "errorHandler", "error-handler", "intercept", "interceptFrom", "intercept-from", "interceptSendToEndpoint",
            "intercept-send-to-endpoint", "onException", "on-exception", "onCompletion", "on-completion",
            "camelContext", "kamelet");

    /**
     * The snippets of each kind in the docs today. Fewer means the extraction broke (or a snippet was removed on
     * purpose: then lower the number here).
     */
    static final Map<String, Integer> MINIMUM = Map.of(
            "yaml route", 4, "java", 2, "properties", 3, "xml", 5);

    static final Path ROOT = projectRoot();
    static final Path README = ROOT.resolve("README.md");
    static final Path PAGES = ROOT.resolve("docs/modules/ROOT/pages");
    static final Path REFERENCE = PAGES.resolve("includes/quarkus-autoftp.adoc");

    /** One code block: the file, the line of its first content line (1-based), its language as written. */
    record Snippet(Path file, int line, String language, String text) {

        String where() {
            return ROOT.relativize(file) + ":" + line;
        }

        String at(int snippetLine) {
            return ROOT.relativize(file) + ":" + (line + snippetLine - 1);
        }
    }

    @Test
    void everySnippetOfTheReadmeAndTheDocsWorks() throws IOException {
        List<Snippet> snippets = new ArrayList<>(markdownSnippets(README));
        try (Stream<Path> pages = Files.list(PAGES)) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".adoc")).sorted().toList()) {
                snippets.addAll(asciidocSnippets(page));
            }
        }

        Map<String, Integer> counts = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        List<Snippet> java = new ArrayList<>();
        for (Snippet snippet : snippets) {
            String kind = kind(snippet);
            counts.merge(kind, 1, Integer::sum);
            System.out.println("DocSnippetsTest: " + snippet.where() + ": " + kind
                    + (kind.equals("not run") ? " ([" + snippet.language() + "], shown only)" : ""));
            switch (kind) {
                case "yaml route" -> problems.addAll(checkYamlRoutes(snippet));
                case "yaml" -> problems.addAll(checkYaml(snippet).problems());
                case "java" -> java.add(snippet);
                case "properties" -> problems.addAll(checkProperties(snippet));
                case "xml" -> problems.addAll(checkXml(snippet));
                case "json" -> problems.addAll(checkJson(snippet));
                case "not run" -> problems.addAll(checkNotRun(snippet));
                default -> problems.add(snippet.where() + ": a [" + snippet.language()
                        + "] block, a kind DocSnippetsTest does not know: check it here or mark it as output");
            }
        }
        problems.addAll(checkJava(java));

        System.out.println("DocSnippetsTest: " + snippets.size() + " code blocks in README.md and "
                + ROOT.relativize(PAGES) + ": " + counts);
        MINIMUM.forEach((kind, minimum) -> assertTrue(counts.getOrDefault(kind, 0) >= minimum,
                "only " + counts.getOrDefault(kind, 0) + " " + kind + " snippets found, expected at least " + minimum
                        + ": is the extraction broken? " + counts));
        if (!problems.isEmpty()) {
            fail(problems.size() + " broken snippet(s) in README.md and the docs:\n  "
                    + String.join("\n  ", problems));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The checks cannot pass vacuously: each one rejects a known bad snippet.

    @Test
    void yamlLoaderRejectsStepsBesideFrom() {
        Snippet stepsBesideFrom = snippet("yaml", """
                - route:
                    from:
                      uri: "autoftp://partner/inbox?delay=30s&move=.done"
                    steps:
                      - to: "file:target/inbox"
                """);
        assertEquals("yaml route", kind(stepsBesideFrom));
        List<String> problems = checkYamlRoutes(stepsBesideFrom);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("steps"), problems.get(0));
        // the line of the mapping that holds the misplaced field
        assertTrue(problems.get(0).startsWith("README.md:11: "), problems.get(0));

        Snippet stepsUnderFrom = snippet("yaml", """
                - route:
                    from:
                      uri: "autoftp://partner/inbox?delay=30s&move=.done&password=RAW({{partner.password}})"
                      steps:
                        - to: "file:target/inbox"
                """);
        assertEquals(List.of(), checkYamlRoutes(stepsUnderFrom));
    }

    @Test
    void yamlRoutesNeedAStepAndEndpointsThatExist() {
        List<String> noStep = checkYamlRoutes(snippet("yaml", """
                - route:
                    from:
                      uri: "autoftp://partner/inbox"
                """));
        assertEquals(1, noStep.size(), noStep.toString());
        assertTrue(noStep.get(0).contains("no steps"), noStep.get(0));

        List<String> badOption = checkYamlRoutes(snippet("yaml", """
                - route:
                    from:
                      uri: "autoftp://partner/inbox"
                      parameters:
                        dataChanel: passive
                      steps:
                        - to: "autoftp://target/outbox?dataChannel=sideways"
                """));
        assertEquals(2, badOption.size(), badOption.toString());
        assertTrue(badOption.get(0).contains("dataChanel"), badOption.get(0));
        assertTrue(badOption.get(1).contains("sideways"), badOption.get(1));
    }

    @Test
    void javaSnippetsAreCompiledAndRun() {
        List<String> problems = checkJava(List.of(
                snippet("java", """
                        from("autoftp://partner/inbox?binary=true")
                            .too("file:target/inbox");
                        """),
                snippet("java", """
                        from("autoftp://partner/inbox?dataConnectTimout=3s")
                            .to("file:target/inbox");
                        """),
                snippet("java", """
                        @Bean
                        ComponentCustomizer autoFtpDefaults() {
                            return ComponentCustomizer.forType(AutoFtpComponent.class,
                                    component -> component.getDataChannelDefaults().setDataConnectTimeout(3000));
                        }
                        """),
                snippet("java", """
                        public class PartnerRoutes extends RouteBuilder {
                            @Override
                            public void configure() {
                                from("autoftp://partner/inbox").to("file:target/inbox");
                            }
                        }
                        """)));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("README.md:11: ") && problems.get(0).contains("too("), problems.get(0));
        assertTrue(problems.get(1).startsWith("README.md:10: ") && problems.get(1).contains("dataConnectTimout"),
                problems.get(1));
    }

    @Test
    void propertiesMustBeDocumented() {
        List<String> problems = checkProperties(snippet("properties", """
                # comment
                quarkus.autoftp.servers.partner.host=ftp.partner.example
                %dev.quarkus.autoftp.servers."my.server".options.ftpClient.trustStore.file=trust.p12
                quarkus.autoftp.servers.<name>.data-connect-timeout = 3s
                quarkus.autoftp.devservices.servers.partner.refuse-passive=true
                quarkus.autoftp.health.cache-ttl: 30s
                camel.component.autoftp.data-connect-timeout=3s
                camel.main.routes-include-pattern=classpath:routes/*.yaml
                quarkus.autoftp.servers.partner.hots=ftp.partner.example
                %prod.quarkus.autoftp.passive-mode=true
                camel.component.autoftps.data-chanel=auto
                """));
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("README.md:18: ") && problems.get(0).contains(".hots"), problems.get(0));
        assertTrue(problems.get(1).startsWith("README.md:19: ") && problems.get(1).contains("passive-mode"),
                problems.get(1));
        assertTrue(problems.get(2).startsWith("README.md:20: ") && problems.get(2).contains("data-chanel"),
                problems.get(2));
    }

    @Test
    void xmlAndJsonMustBeWellFormed() {
        assertEquals(List.of(), checkXml(snippet("xml", "<dependency>\n  <artifactId>a</artifactId>\n</dependency>\n"
                + "<dependency/>\n")));
        List<String> xml = checkXml(snippet("xml", "<dependency>\n  <artifactId>a</groupId>\n</dependency>\n"));
        assertEquals(1, xml.size(), xml.toString());
        assertTrue(xml.get(0).startsWith("README.md:11: "), xml.get(0));
        List<String> json = checkJson(snippet("json", "{\"file\": \"a.csv\",\n \"attempts\": 4,,\n}\n"));
        assertEquals(1, json.size(), json.toString());
        assertTrue(json.get(0).startsWith("README.md:11: "), json.get(0));
    }

    @Test
    void extractionFindsBlocksOfBothSyntaxes() {
        List<Snippet> markdown = markdownSnippets(README, List.of("text", "```yaml", "- route: {}", "```", "",
                "  ```java", "  from(\"a\")", "    .to(\"b\");", "  ```", "```", "./mvnw", "```"));
        assertEquals(List.of("yaml:3:- route: {}\n", "java:7:from(\"a\")\n  .to(\"b\");\n", ":11:./mvnw\n"),
                markdown.stream().map(s -> s.language() + ":" + s.line() + ":" + s.text()).toList());
        List<Snippet> asciidoc = asciidocSnippets(README, List.of("[source,properties]", "----", "a.b=c", "----",
                "+", "[,xml]", ".A title", "-----", "<a/>", "----", "-----", "----", "out", "----", "[source,yaml]",
                "- from: {}", "", "////", "----", "////"));
        assertEquals(List.of("properties:3:a.b=c\n", "xml:9:<a/>\n----\n", ":13:out\n", "yaml:16:- from: {}\n"),
                asciidoc.stream().map(s -> s.language() + ":" + s.line() + ":" + s.text()).toList());
        List<String> untyped = checkNotRun(snippet("", "- route:\n    from: {}\n"));
        assertEquals(1, untyped.size(), untyped.toString());
    }

    /** A snippet as if its first line were line 10 of README.md. */
    static Snippet snippet(String language, String text) {
        return new Snippet(README, 10, language, text);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Extraction

    static List<Snippet> markdownSnippets(Path file) {
        return markdownSnippets(file, readLines(file));
    }

    private static final Pattern FENCE = Pattern.compile("^(\\s*)(`{3,}|~{3,})\\s*([^`\\s{]*)[^`]*$");

    static List<Snippet> markdownSnippets(Path file, List<String> lines) {
        List<Snippet> snippets = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int indent = open.group(1).length();
            String fence = open.group(2);
            StringBuilder text = new StringBuilder();
            int start = i + 1;
            int j = start;
            for (; j < lines.size(); j++) {
                String line = lines.get(j);
                String stripped = line.strip();
                if (stripped.length() >= fence.length() && stripped.chars().allMatch(c -> c == fence.charAt(0))) {
                    break;
                }
                text.append(line.substring(Math.min(indent, leadingSpaces(line)))).append('\n');
            }
            snippets.add(new Snippet(file, start + 1, open.group(3).toLowerCase(Locale.ROOT), text.toString()));
            i = j;
        }
        return snippets;
    }

    static List<Snippet> asciidocSnippets(Path file) {
        return asciidocSnippets(file, readLines(file));
    }

    private static final Pattern SOURCE_ATTRIBUTES = Pattern.compile(
            "^\\[(source|listing|literal)?(?:,\\s*([\\w+-]*))?.*]$");
    private static final Pattern DELIMITER = Pattern.compile("^(-{4,}|\\.{4,}|/{4,})$");

    static List<Snippet> asciidocSnippets(Path file, List<String> lines) {
        List<Snippet> snippets = new ArrayList<>();
        String language = null; // set by a [source,...] line for the next block
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher attributes = SOURCE_ATTRIBUTES.matcher(line);
            if (attributes.matches() && (attributes.group(1) != null || attributes.group(2) != null)) {
                language = attributes.group(2) == null ? "" : attributes.group(2).toLowerCase(Locale.ROOT);
                continue;
            }
            if (language != null && line.startsWith(".") && !line.startsWith("..")) {
                continue; // a block title between the attributes and the block
            }
            Matcher delimiter = DELIMITER.matcher(line);
            if (delimiter.matches()) {
                int start = i + 1;
                int end = start;
                while (end < lines.size() && !lines.get(end).equals(line)) {
                    end++;
                }
                if (!line.startsWith("/")) { // //// is a comment block
                    snippets.add(new Snippet(file, start + 1, language == null ? "" : language,
                            lines.subList(start, Math.min(end, lines.size())).stream()
                                    .map(l -> l + "\n").collect(Collectors.joining())));
                }
                language = null;
                i = end;
                continue;
            }
            if (language != null && !line.isBlank()) { // [source,x] on a paragraph: the block ends at a blank line
                int start = i;
                int end = start;
                while (end < lines.size() && !lines.get(end).isBlank()) {
                    end++;
                }
                snippets.add(new Snippet(file, start + 1, language,
                        lines.subList(start, end).stream().map(l -> l + "\n").collect(Collectors.joining())));
                language = null;
                i = end;
            }
        }
        return snippets;
    }

    static String kind(Snippet snippet) {
        String language = snippet.language();
        if (NOT_RUN.contains(language)) {
            return "not run";
        }
        return switch (language) {
            case "yaml", "yml" -> isCamelYaml(snippet) ? "yaml route" : "yaml";
            case "java" -> "java";
            case "properties", "props", "ini" -> "properties";
            case "xml", "pom" -> "xml";
            case "json" -> "json";
            default -> language;
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // YAML

    record ParsedYaml(List<Object> documents, List<String> problems) {
    }

    static ParsedYaml checkYaml(Snippet snippet) {
        try {
            List<Object> documents = new ArrayList<>();
            new Load(LoadSettings.builder().build()).loadAllFromString(snippet.text()).forEach(documents::add);
            return new ParsedYaml(documents, List.of());
        } catch (RuntimeException e) {
            return new ParsedYaml(List.of(), List.of(located(snippet, e) + ": YAML does not parse: " + messages(e)));
        }
    }

    /** A list of single-key maps (how every Camel YAML DSL file looks) or a map with a DSL key. */
    static boolean isCamelYaml(Snippet snippet) {
        ParsedYaml parsed = checkYaml(snippet);
        if (!parsed.problems().isEmpty() || parsed.documents().size() != 1) {
            return false;
        }
        Object document = parsed.documents().get(0);
        if (document instanceof List<?> list) {
            return !list.isEmpty() && list.stream().allMatch(item -> item instanceof Map<?, ?> map
                    && map.keySet().stream().anyMatch(CAMEL_YAML_KEYS::contains));
        }
        return document instanceof Map<?, ?> map && map.keySet().stream().anyMatch(CAMEL_YAML_KEYS::contains);
    }

    static List<String> checkYamlRoutes(Snippet snippet) {
        return withContext(snippet.text(), context -> {
            try {
                // one dot only: the loader is chosen by what follows the first dot
                String name = ROOT.relativize(snippet.file()).toString().replaceAll("[/.]", "_") + "-line-"
                        + snippet.line() + ".yaml";
                PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString(name, snippet.text()));
            } catch (Exception e) {
                return List.of(located(snippet, e) + ": Camel's YAML DSL refuses the routes: " + messages(e));
            }
            return checkRoutes(snippet, context);
        });
    }

    /** Where a YAML exception points to: the snippet's line of the problem, else its first line. */
    private static String located(Snippet snippet, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException marked) {
                Optional<Mark> mark = marked.getProblemMark().or(marked::getContextMark);
                if (mark.isPresent()) {
                    return snippet.at(mark.get().getLine() + 1);
                }
            }
        }
        return snippet.where();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Routes, from YAML or Java

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)(:[^}]*)?}}");

    /**
     * A context that is never started (with a cluster service for master: endpoints), with a dummy value for every {@code {{placeholder}}} of the snippet that has
     * no default (one that converts to a string, a number and a duration).
     */
    static List<String> withContext(String text, Function<CamelContext, List<String>> check) {
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            // master: endpoints (leader-only routes) need a cluster service, as the service has
            FileLockClusterService cluster = new FileLockClusterService();
            cluster.setRoot("target/doc-snippets-cluster");
            try {
                context.addService(cluster);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            Properties dummies = new Properties();
            Matcher placeholder = PLACEHOLDER.matcher(text);
            while (placeholder.find()) {
                if (placeholder.group(2) == null) {
                    dummies.setProperty(placeholder.group(1).strip(), "1");
                }
            }
            context.getPropertiesComponent().setInitialProperties(dummies);
            return check.apply(context);
        } finally {
            close(context);
        }
    }

    /** Every route has a step, and every endpoint it names can be created. */
    static List<String> checkRoutes(Snippet snippet, CamelContext context) {
        List<String> problems = new ArrayList<>();
        List<RouteDefinition> routes = ((ModelCamelContext) context).getRouteDefinitions();
        for (RouteDefinition route : routes) {
            String name = route.getRouteId() != null ? "route " + route.getRouteId() : "the route";
            if (route.getOutputs().isEmpty()) {
                problems.add(snippet.where() + ": " + name + " has no steps: Camel refuses to start it (\"has no "
                        + "output processors\")");
            }
            Set<String> uris = new LinkedHashSet<>();
            if (route.getInput() != null) {
                uris.add(route.getInput().getEndpointUri());
            }
            Collection<SendDefinition> sends = ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                    SendDefinition.class);
            sends.forEach(send -> uris.add(send.getEndpointUri()));
            for (String uri : uris) {
                problems.addAll(checkEndpoint(snippet, context, name, uri));
            }
        }
        return problems;
    }

    static List<String> checkEndpoint(Snippet snippet, CamelContext context, String route, String uri) {
        if (uri == null) {
            return List.of();
        }
        String scheme = StringHelper.before(uri, ":");
        if (scheme == null || context.getCamelContextExtension()
                .getFactoryFinder("META-INF/services/org/apache/camel/component/").findClass(scheme).isEmpty()) {
            // a component this test does not have: the URI is not checked, and says so
            System.out.println("DocSnippetsTest: " + snippet.where() + ": no component " + scheme
                    + " on the test classpath, the URI is not checked: " + uri);
            return List.of();
        }
        try {
            context.getEndpoint(uri);
            return List.of();
        } catch (Exception e) {
            return List.of(snippet.where() + ": " + route + ": the endpoint " + uri + " cannot be created: "
                    + messages(e));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Java

    private static final Pattern COMPILATION_UNIT = Pattern.compile("(?m)^\\s*(package\\s|import\\s"
            + "|((public|abstract|final|sealed)\\s+)*(class|interface|enum|record)\\s+\\w+)");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^\\s*public\\s+((abstract|final|sealed)\\s+)*(class|interface|enum|record)\\s+(\\w+)");
    private static final Pattern MEMBER = Pattern.compile(
            "^(@\\w+|(public|protected|private|static|final|abstract|synchronized)\\s"
                    + "|[\\w.<>\\[\\], ?]+\\s+\\w+\\s*\\([^)]*\\)\\s*(throws\\s[\\w., ]+)?\\s*\\{)");

    enum JavaShape {
        /** declares its own types */
        UNIT,
        /** methods or fields of a class */
        MEMBERS,
        /** the body of RouteBuilder#configure() */
        STATEMENTS
    }

    static JavaShape shape(String text) {
        if (COMPILATION_UNIT.matcher(text).find()) {
            return JavaShape.UNIT;
        }
        String first = text.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("//") && !l.startsWith("/*") && !l.startsWith("*"))
                .findFirst().orElse("");
        return MEMBER.matcher(first).find() ? JavaShape.MEMBERS : JavaShape.STATEMENTS;
    }

    /** A snippet as a source file; the snippet starts on its second line. */
    static final class SnippetSource extends SimpleJavaFileObject {
        final Snippet snippet;
        final JavaShape shape;
        final String className;
        final String code;

        SnippetSource(Snippet snippet, int index) {
            this(snippet, index, shape(snippet.text()));
        }

        private SnippetSource(Snippet snippet, int index, JavaShape shape) {
            this(snippet, shape, "docsnippets.s" + index, typeName(snippet, shape));
        }

        private SnippetSource(Snippet snippet, JavaShape shape, String pkg, String type) {
            super(URI.create("string:///" + pkg.replace('.', '/') + "/" + type + Kind.SOURCE.extension), Kind.SOURCE);
            this.snippet = snippet;
            this.shape = shape;
            this.className = pkg + "." + type;
            String imports = JAVA_IMPORTS.stream().map(i -> "import " + i + "; ").collect(Collectors.joining());
            String header = "package " + pkg + "; " + imports;
            this.code = switch (shape) {
                case UNIT -> header + "\n" + snippet.text();
                case MEMBERS -> header + "public abstract class " + type + " extends RouteBuilder {\n" + snippet.text()
                        + "\n}\n";
                case STATEMENTS -> header + "public class " + type + " extends RouteBuilder { @Override public void "
                        + "configure() throws Exception {\n" + snippet.text() + "\n}}\n";
            };
        }

        private static String typeName(Snippet snippet, JavaShape shape) {
            Matcher type = PUBLIC_TYPE.matcher(snippet.text());
            return shape == JavaShape.UNIT && type.find() ? type.group(4) : "Snippet";
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    /** Compiles the snippets together (one javac run), then runs the configure() of each fragment of statements. */
    static List<String> checkJava(List<Snippet> snippets) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertTrue(compiler != null, "the tests need a JDK (javax.tools.ToolProvider.getSystemJavaCompiler())");
        List<SnippetSource> sources = new ArrayList<>();
        for (int i = 0; i < snippets.size(); i++) {
            sources.add(new SnippetSource(snippets.get(i), i));
        }
        List<JavaFileObject> units = new ArrayList<>(sources);
        if (!onClasspath("org.springframework.context.annotation.Bean")) {
            units.add(new SimpleJavaFileObject(URI.create("string:///org/springframework/context/annotation/Bean.java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return SPRING_BEAN_STUB;
                }
            });
        }

        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8);
        var inMemory = new ForwardingJavaFileManager<StandardJavaFileManager>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                    FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension),
                        kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return classes.computeIfAbsent(className, n -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        List<String> options = List.of("-classpath", testClasspath(), "-proc:none", "-Xlint:none", "-nowarn",
                "-encoding", "UTF-8");
        boolean compiled = compiler.getTask(null, inMemory, diagnostics, options, null, units).call();

        List<String> problems = new ArrayList<>();
        Set<Snippet> failed = new LinkedHashSet<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            if (d.getSource() instanceof SnippetSource source) {
                failed.add(source.snippet);
                long snippetLine = d.getLineNumber() - 1; // the header is the first line
                int lastLine = (int) source.snippet.text().lines().count();
                String where = snippetLine >= 1 && snippetLine <= lastLine ? source.snippet.at((int) snippetLine)
                        : source.snippet.where() + " (in the " + source.shape.name().toLowerCase(Locale.ROOT)
                                + " wrapper)";
                problems.add(where + ": does not compile: "
                        + d.getMessage(Locale.ROOT).strip().replaceAll("\\s*\\n\\s*", "; "));
            } else {
                problems.add("Java snippets: " + d.getMessage(Locale.ROOT));
            }
        }
        if (!compiled && problems.isEmpty()) {
            problems.add("Java snippets: javac failed without an error message");
        }
        if (!compiled && !failed.isEmpty()) {
            // javac writes no class at all when one unit has errors: compile the others again, to run them
            List<JavaFileObject> good = units.stream()
                    .filter(u -> !(u instanceof SnippetSource source && failed.contains(source.snippet))).toList();
            classes.clear();
            if (!good.isEmpty() && !compiler.getTask(null, inMemory, null, options, null, good).call()) {
                problems.add("Java snippets: the snippets without errors do not compile without the others");
            }
        }

        ClassLoader loader = new ClassLoader(DocSnippetsTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                ByteArrayOutputStream bytes = classes.get(name);
                if (bytes == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, bytes.toByteArray(), 0, bytes.size());
            }
        };
        for (SnippetSource source : sources) {
            if (source.shape != JavaShape.STATEMENTS || failed.contains(source.snippet)) {
                continue;
            }
            problems.addAll(withContext(source.snippet.text(), context -> {
                try {
                    Object builder = loader.loadClass(source.className).getConstructor().newInstance();
                    context.addRoutes((RoutesBuilder) builder);
                } catch (Exception e) {
                    return List.of(source.snippet.where() + ": configure() fails: " + messages(e));
                }
                return checkRoutes(source.snippet, context);
            }));
        }
        return problems;
    }

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, DocSnippetsTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The test classpath as surefire gives it (java.class.path, or surefire's own property with a manifest jar). */
    private static String testClasspath() {
        String classpath = System.getProperty("java.class.path", "");
        String surefire = System.getProperty("surefire.test.class.path");
        return !classpath.contains("camel-api") && surefire != null ? surefire : classpath;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // properties

    private static final Pattern REFERENCE_PROPERTY = Pattern.compile(
            "config_property_copy_button:\\+\\+\\+(.+?)\\+\\+\\+");
    private static final Pattern PROFILE = Pattern.compile("^%[^.]+\\.");
    private static final Pattern KEY = Pattern.compile("^((?:\\\\.|[^=:\\s\\\\])+)");

    /** The documented quarkus.autoftp properties, a map key of the reference standing for any key. */
    static List<Pattern> documentedProperties() {
        String reference = read(REFERENCE);
        List<Pattern> patterns = new ArrayList<>();
        Matcher property = REFERENCE_PROPERTY.matcher(reference);
        while (property.find()) {
            String name = property.group(1);
            StringBuilder regex = new StringBuilder();
            Matcher mapKey = Pattern.compile("\"[^\"]*\"").matcher(name);
            int last = 0;
            while (mapKey.find()) {
                regex.append(Pattern.quote(name.substring(last, mapKey.start())));
                boolean atEnd = mapKey.end() == name.length();
                // a quoted key, a <placeholder>, or a plain key (which, as the last segment, may hold dots)
                regex.append(atEnd ? "(?:\"[^\"]*\"|<[^>]+>|.+)" : "(?:\"[^\"]*\"|<[^>]+>|[^.\"]+)");
                last = mapKey.end();
            }
            regex.append(Pattern.quote(name.substring(last)));
            patterns.add(Pattern.compile(regex.toString()));
        }
        assertFalse(patterns.isEmpty(), "no property found in " + REFERENCE);
        return patterns;
    }

    /** The options of the autoftp and autoftps components, from their JSON. */
    static Map<String, Set<String>> componentOptions() {
        Map<String, Set<String>> options = new LinkedHashMap<>();
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            for (String scheme : List.of("autoftp", "autoftps")) {
                String json = context.getComponentParameterJsonSchema(scheme);
                ComponentModel model = JsonMapper.generateComponentModel(json);
                options.put(scheme, model.getComponentOptions().stream().map(o -> o.getName())
                        .collect(Collectors.toSet()));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            close(context);
        }
        return options;
    }

    private static final Pattern COMPONENT_OPTION = Pattern.compile("^camel\\.component\\.(autoftps?)\\.(.+)$");

    static List<String> checkProperties(Snippet snippet) {
        List<Pattern> documented = documentedProperties();
        Map<String, Set<String>> componentOptions = componentOptions();
        List<String> problems = new ArrayList<>();
        List<String> lines = snippet.text().lines().toList();
        boolean continuation = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).stripLeading();
            boolean wasContinuation = continuation;
            continuation = !line.startsWith("#") && !line.startsWith("!") && endsWithOddBackslashes(line);
            if (wasContinuation || line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            Matcher key = KEY.matcher(line);
            if (!key.find()) {
                problems.add(snippet.at(i + 1) + ": not a property line: " + line);
                continue;
            }
            String name = PROFILE.matcher(key.group(1).replace("\\", "")).replaceFirst("");
            if (name.startsWith("quarkus.autoftp.")) {
                if (documented.stream().noneMatch(p -> p.matcher(name).matches())) {
                    problems.add(snippet.at(i + 1) + ": " + name + " is not a property of quarkus-autoftp (see "
                            + ROOT.relativize(REFERENCE) + ")");
                }
            } else {
                Matcher component = COMPONENT_OPTION.matcher(name);
                if (component.matches() && !componentOptions.get(component.group(1))
                        .contains(StringHelper.dashToCamelCase(component.group(2)))) {
                    problems.add(snippet.at(i + 1) + ": " + name + " is not an option of the " + component.group(1)
                            + " component");
                }
            }
        }
        return problems;
    }

    private static boolean endsWithOddBackslashes(String line) {
        int n = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // XML, JSON, blocks that are not run

    private static final Pattern XML_DECLARATION = Pattern.compile("^\\s*<\\?xml[^>]*\\?>");

    static List<String> checkXml(Snippet snippet) {
        // Several elements (two <dependency> to add) are a fragment: parsed inside one root, on the same lines.
        Matcher declaration = XML_DECLARATION.matcher(snippet.text());
        String text = declaration.find() ? " ".repeat(declaration.end()) + snippet.text().substring(declaration.end())
                : snippet.text();
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            builder.parse(new InputSource(new StringReader("<snippet>" + text + "</snippet>")));
            return List.of();
        } catch (SAXParseException e) {
            int line = e.getLineNumber() > 0 ? e.getLineNumber() : 1;
            return List.of(snippet.at(line) + ": XML is not well-formed: " + e.getMessage());
        } catch (Exception e) {
            return List.of(snippet.where() + ": XML is not well-formed: " + messages(e));
        }
    }

    static List<String> checkJson(Snippet snippet) {
        try (JsonParser parser = new JsonFactory().createParser(snippet.text())) {
            while (parser.nextToken() != null) {
                // reads every token
            }
            return List.of();
        } catch (JsonProcessingException e) {
            int line = e.getLocation() != null && e.getLocation().getLineNr() > 0 ? e.getLocation().getLineNr() : 1;
            return List.of(snippet.at(line) + ": JSON is not well-formed: " + e.getOriginalMessage());
        } catch (IOException e) {
            return List.of(snippet.where() + ": JSON is not well-formed: " + e.getMessage());
        }
    }

    private static final Pattern LOOKS_LIKE_YAML_ROUTE = Pattern.compile(
            "(?m)^\\s*-\\s*(route|from|rest|routeConfiguration|beans):");
    private static final Pattern LOOKS_LIKE_JAVA_ROUTE = Pattern.compile("(?m)^\\s*from\\(\"");
    private static final Pattern LOOKS_LIKE_PROPERTY = Pattern.compile("^%?[a-z][\\w.%\"<>-]*\\s*[=:]\\s*\\S.*");

    /** A block that is not run (commands, output) must not be a snippet that lost its language. */
    static List<String> checkNotRun(Snippet snippet) {
        String looksLike = null;
        if (LOOKS_LIKE_YAML_ROUTE.matcher(snippet.text()).find()) {
            looksLike = "a YAML route (mark it yaml)";
        } else if (LOOKS_LIKE_JAVA_ROUTE.matcher(snippet.text()).find()) {
            looksLike = "a Java route (mark it java)";
        } else {
            List<String> lines = snippet.text().lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            if (!lines.isEmpty() && lines.stream().allMatch(l -> LOOKS_LIKE_PROPERTY.matcher(l).matches())) {
                looksLike = "properties (mark it properties)";
            }
        }
        return looksLike == null ? List.of()
                : List.of(snippet.where() + ": a block without a language that looks like " + looksLike);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static String messages(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 6; t = t.getCause()) {
            String message = (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage())
                    .replaceAll("\\s+", " ").strip();
            if (messages.stream().noneMatch(m -> m.contains(message))) {
                messages.add(message);
            }
        }
        return String.join(" <- ", messages);
    }

    private static void close(DefaultCamelContext context) {
        try {
            context.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int leadingSpaces(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }

    private static List<String> readLines(Path file) {
        return read(file).lines().toList();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** The directory with README.md and docs/, above the module's directory (surefire's working directory). */
    private static Path projectRoot() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md"))
                    && Files.isDirectory(dir.resolve("docs/modules/ROOT/pages"))) {
                return dir;
            }
        }
        throw new IllegalStateException("README.md and docs/ not found above " + System.getProperty("user.dir"));
    }
}
