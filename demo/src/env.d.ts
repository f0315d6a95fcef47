/// <reference types="vite/client" />

/** The build's label (package version, or DEMO_VERSION at build time). */
declare const __DEMO_VERSION__: string;
