package io.autoftp.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.component.file.remote.FtpsComponentConfigurer;

/**
 * camel-ftp's generated FTPS component configurer plus the data channel defaults ({@code camel.component.autoftps.*}).
 */
public class AutoFtpsComponentConfigurer extends FtpsComponentConfigurer {

    @Override
    public boolean configure(CamelContext camelContext, Object obj, String name, Object value, boolean ignoreCase) {
        return DataChannelOptionsConfigurer.configure(camelContext, ((AutoFtpsComponent) obj).getDataChannelDefaults(),
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
                ? DataChannelOptionsConfigurer.optionValue(((AutoFtpsComponent) obj).getDataChannelDefaults(), name,
                        ignoreCase)
                : super.getOptionValue(obj, name, ignoreCase);
    }
}
