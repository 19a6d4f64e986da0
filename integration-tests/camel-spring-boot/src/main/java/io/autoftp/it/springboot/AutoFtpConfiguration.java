package io.autoftp.it.springboot;

import java.time.Duration;

import io.autoftp.camel.AutoFtpComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Component-level options of autoftp under Spring Boot. Camel Spring Boot binds {@code camel.component.<name>.*} only
 * for components that ship a Spring Boot starter, and camel-autoftp has none: such lines would be ignored without a
 * word. So the application reads its own property and applies it with a {@link ComponentCustomizer}, which Camel runs
 * on the component when it creates it.
 */
@Configuration(proxyBeanMethods = false)
public class AutoFtpConfiguration {

    @Bean
    ComponentCustomizer autoFtpDataChannel(@Value("${autoftp.data-connect-timeout:5s}") Duration dataConnectTimeout) {
        return ComponentCustomizer.forType(AutoFtpComponent.class,
                component -> component.getDataChannelDefaults().setDataConnectTimeout(dataConnectTimeout.toMillis()));
    }
}
