// The mobilevsr Android demo: :mobilevsr is the Java API + JNI bridge over the C++ core (../cpp), :app the Kotlin UI.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()  // LiteRT (com.google.ai.edge.litert) is on Google Maven only
        mavenCentral()
    }
}
rootProject.name = "mobilevsr-android"
include(":mobilevsr", ":app")
