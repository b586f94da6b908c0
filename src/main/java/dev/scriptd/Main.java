package dev.scriptd;
public final class Main { public static void main(String[] a) {} }
