package io.autoftp.it.springboot;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * For each partner ({@code partner-a}, {@code partner-b}): download everything from its {@code outbox} into a local
 * folder, and upload what is put in a local folder to its {@code inbox}. The hosts, ports, logins and folders come
 * from {@code application.properties}. The routes say nothing about passive or active mode: autoftp finds out per
 * server.
 */
@Component
public class PartnerRoutes extends RouteBuilder {

    @Override
    public void configure() {
        partner("partner-a");
        partner("partner-b");
    }

    private void partner(String name) {
        String server = "autoftp://{{" + name + ".host}}:{{" + name + ".port}}";
        String login = "username={{" + name + ".username}}&password=RAW({{" + name + ".password}})&binary=true";

        from(server + "/outbox?" + login + "&delete=true&delay={{transfer.poll-delay}}&initialDelay=0")
                .routeId("download-" + name)
                .log("Downloaded ${file:name} (${file:size} bytes) from " + name)
                .to("file:{{transfer.inbox}}/" + name + "?tempFileName=${file:name}.part");

        from("file:{{transfer.outbox}}/" + name + "?move=.sent&delay={{transfer.poll-delay}}&initialDelay=0")
                .routeId("upload-" + name)
                .to(server + "/inbox?" + login + "&tempFileName=${file:name}.part")
                .log("Uploaded ${file:name} (${file:size} bytes) to " + name);
    }
}
