package dev.kiln.maven;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The plugin descriptor maven-plugin-plugin generated: prefix {@code kiln}, and a {@code kiln.NAME} user property for every parameter. */
class PluginDescriptorTest {
    /** Structured parameters that a {@code -D} string cannot give. */
    private static final Set<String> STRUCTURED = Set.of("layers", "environment", "labels");

    @Test
    void thePrefixIsKilnAndEveryParameterHasItsUserProperty() throws Exception {
        Element plugin = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Path.of("target/classes/META-INF/maven/plugin.xml").toFile()).getDocumentElement();
        assertThat(text(plugin, "goalPrefix")).isEqualTo("kiln");
        Set<String> goals = new TreeSet<>();
        Set<String> withoutProperty = new TreeSet<>();
        Set<String> checked = new TreeSet<>();
        NodeList mojos = plugin.getElementsByTagName("mojo");
        for (int i = 0; i < mojos.getLength(); i++) {
            Element mojo = (Element) mojos.item(i);
            String goal = text(mojo, "goal");
            goals.add(goal);
            Element configuration = (Element) mojo.getElementsByTagName("configuration").item(0);
            NodeList parameters = ((Element) mojo.getElementsByTagName("parameters").item(0)).getElementsByTagName("parameter");
            for (int j = 0; j < parameters.getLength(); j++) {
                Element parameter = (Element) parameters.item(j);
                String name = text(parameter, "name");
                if (!"true".equals(text(parameter, "editable")) || STRUCTURED.contains(name)) {
                    continue;
                }
                checked.add(goal + ":" + name);
                Element value = (Element) configuration.getElementsByTagName(name).item(0);
                if (value == null || !value.getTextContent().equals("${kiln." + name + "}")) {
                    withoutProperty.add(goal + ":" + name);
                }
            }
        }
        assertThat(goals).containsExactly("build", "flink");
        assertThat(checked).contains("flink:to", "flink:base", "flink:flinkVersion", "flink:skip", "flink:libDir", "build:from", "build:ports");
        assertThat(withoutProperty).isEmpty();
    }

    private static String text(Element element, String child) {
        return element.getElementsByTagName(child).item(0).getTextContent();
    }
}
