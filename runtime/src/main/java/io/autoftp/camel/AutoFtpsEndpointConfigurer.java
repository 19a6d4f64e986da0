package io.autoftp.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.component.file.remote.FtpsEndpointConfigurer;

/** camel-ftp's generated FTPS endpoint configurer plus the data channel options. */
public class AutoFtpsEndpointConfigurer extends FtpsEndpointConfigurer {

    @Override
    public boolean configure(CamelContext camelContext, Object obj, String name, Object value, boolean ignoreCase) {
        return DataChannelOptionsConfigurer.configure(camelContext, ((AutoFtpsEndpoint) obj).getDataChannelOptions(),
                name, value, ignoreCase) || super.configure(camelContext, obj, name, value, ignoreCase);
    }

    @Override
    public Class<?> getOptionType(String name, boolean ignoreCase) {
        Class<?> type = DataChannelOptionsConfigurer.optionType(name, ignoreCase);
        return type != null ? type : super.getOptionType(name, ignoreCase);
    }

    @Override
    public Object getOptionValue(Object obj, String name, boolean ignoreCase) {
        return DataChannelOptionsConfigurer.optionType(name, ignoreCase) != null
                ? DataChannelOptionsConfigurer.optionValue(((AutoFtpsEndpoint) obj).getDataChannelOptions(), name,
                        ignoreCase)
                : super.getOptionValue(obj, name, ignoreCase);
    }
}
