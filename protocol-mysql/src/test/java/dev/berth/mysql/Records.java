package dev.berth.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Objects;

/** Record equality that compares array components by content (records compare arrays by identity). */
public final class Records {
    private Records() {
    }

    public static void assertRecordEquals(Record expected, Record actual) {
        assertEquals(expected.getClass(), actual.getClass());
        for (RecordComponent component : expected.getClass().getRecordComponents()) {
            Object want = value(component, expected);
            Object got = value(component, actual);
            if (!Objects.deepEquals(want, got)) {
                throw new AssertionError(component.getName() + ": expected " + show(want) + " but was " + show(got));
            }
        }
    }

    private static Object value(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static String show(Object value) {
        return value instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(value);
    }
}
