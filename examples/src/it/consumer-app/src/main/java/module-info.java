module org.example.consumer {
    requires dev.pyconc.core;
}
