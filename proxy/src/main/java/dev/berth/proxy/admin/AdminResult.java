package dev.berth.proxy.admin;

import java.util.List;

/** The answer to one admin statement. */
public sealed interface AdminResult {
    /** A result set; every value is text or null. */
    record Rows(List<String> columns, List<List<String>> rows) implements AdminResult {}
    /** An OK packet with an info message (e.g. "paused; 2 transactions still running"). */
    record Done(String info) implements AdminResult {}
    /** An ERR packet. */
    record Failure(int code, String sqlState, String message) implements AdminResult {}
}
