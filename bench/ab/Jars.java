import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/** One Whittle jar's step (TrainingStep or InferenceStep) in a class loader of its own, for the A/B harnesses. */
final class Jars {
    private Jars() {}

    static Runnable step(String stepClass, String jar, String stepClasses, String model, int batch, int threads)
            throws Exception {
        URL[] urls = {Path.of(jar).toUri().toURL(), Path.of(stepClasses).toUri().toURL()};
        ClassLoader cl = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
        return (Runnable) cl.loadClass(stepClass)
                .getConstructor(String.class, int.class, int.class)
                .newInstance(model, batch, threads);
    }
}
