package dev.pyconc.ipc.internal.codec;

/**
 * The one descriptor of the standard codec's item format: the bytes that {@code Codec.standard()}
 * appends for one item, as they travel through pipes and queues and as they are kept in a
 * {@code JournalQueue}'s files. Every tag and offset is a constant here and nowhere else.
 *
 * <p>An item is one tag byte followed by a body whose layout the tag decides. Multi-byte fields
 * are little-endian and unaligned. The item's length is known to the reader (the frame or journal
 * record around it carries it), so the last body of each kind runs to the end of the item.
 *
 * <pre>
 *   0        1                                               length
 *   +--------+-----------------------------------------------+
 *   |  Tag   |  Body (layout by tag)                         |
 *   +--------+-----------------------------------------------+
 *
 *   Tag              Body                                       Java value
 *   0x00 NULL        (none)                                     null
 *   0x01 FALSE       (none)                                     Boolean.FALSE
 *   0x02 TRUE        (none)                                     Boolean.TRUE
 *   0x03 BYTE        1 byte                                     Byte
 *   0x04 SHORT       2 bytes, little-endian                     Short
 *   0x05 CHAR        2 bytes, little-endian UTF-16 unit         Character
 *   0x06 INT         4 bytes, little-endian                     Integer
 *   0x07 LONG        8 bytes, little-endian                     Long
 *   0x08 FLOAT       4 bytes, Float.floatToRawIntBits           Float (NaN payload kept)
 *   0x09 DOUBLE      8 bytes, Double.doubleToRawLongBits        Double (NaN payload kept)
 *   0x0A STRING      UTF-8 bytes to the end of the item         String (well-formed UTF-16)
 *   0x0B STRING16    UTF-16LE code units to the end             String with unpaired surrogates
 *   0x0C BYTES       raw bytes to the end of the item           byte[]
 *   0x0D SERIAL      a Java serialization stream to the end     any Serializable, read behind
 *                    (ObjectOutputStream, one writeObject)      the codec's ObjectInputFilter
 *   0x0E LIST        Container (below)                          ArrayList, or List.of's list
 *   0x0F SET         Container (below)                          HashSet, LinkedHashSet, Set.of's
 *   0x10 MAP         Container (below), keys and values         HashMap, LinkedHashMap, Map.of's
 *                    alternating: 2 x count Elements
 *   0x11..0xFF       reserved: never written; rejected when read
 * </pre>
 *
 * <p>A container's body: which class it is, how many entries it has, and each entry as a length
 * and a complete item of this format (any tag, containers included, nested to at most the
 * codec's maximum depth). Entries are written in the container's iteration order.
 *
 * <pre>
 *   Container body
 *   0        1                 5
 *   +--------+-----------------+----------+----------+-----+
 *   |  Kind  | Count (int32 LE)| Element  | Element  | ... |   LIST, SET: Count Elements
 *   +--------+-----------------+----------+----------+-----+   MAP: 2 x Count (key, value, ...)
 *
 *   Element
 *   0                  4
 *   +------------------+------------------------------+
 *   | Length (int32 LE)| Item: tag and body, Length   |
 *   +------------------+------------------------------+
 *
 *   Kind   LIST                SET                  MAP
 *   0x00   java.util.ArrayList java.util.HashSet    java.util.HashMap
 *   0x01   List.of (no nulls)  LinkedHashSet        LinkedHashMap
 *   0x02   -                   Set.of               Map.of
 * </pre>
 *
 * <p>Only those exact classes are written so, and only when every element is itself one of the
 * types above, no mutable object (container or {@code byte[]}) appears twice in the graph, and
 * the nesting is within the codec's depth limit; anything else travels as one {@link #SERIAL}
 * item, so that shared references and subclasses survive as Java serialization keeps them.
 *
 * <p>Fixed-size bodies must have exactly their size: an item that is shorter or longer is rejected.
 * Tags are never reused for another meaning, so journals written by an older version stay readable.
 */
public final class WireFormat {
    private WireFormat() {}

    /** Offset of the tag byte. */
    public static final int TAG_OFFSET = 0;
    /** Offset of the body. */
    public static final int BODY_OFFSET = 1;

    public static final byte NULL = 0x00;
    public static final byte FALSE = 0x01;
    public static final byte TRUE = 0x02;
    public static final byte BYTE = 0x03;
    public static final byte SHORT = 0x04;
    public static final byte CHAR = 0x05;
    public static final byte INT = 0x06;
    public static final byte LONG = 0x07;
    public static final byte FLOAT = 0x08;
    public static final byte DOUBLE = 0x09;
    public static final byte STRING = 0x0A;
    public static final byte STRING16 = 0x0B;
    public static final byte BYTES = 0x0C;
    public static final byte SERIAL = 0x0D;
    public static final byte LIST = 0x0E;
    public static final byte SET = 0x0F;
    public static final byte MAP = 0x10;
    /** The first tag value that is reserved. */
    public static final int FIRST_RESERVED = 0x11;

    /** Offset of the kind byte in a container's body. */
    public static final int KIND_OFFSET = 0;
    /** Offset of the entry count in a container's body. */
    public static final int COUNT_OFFSET = 1;
    /** Offset of the first element in a container's body. */
    public static final int ELEMENTS_OFFSET = 5;
    /** Bytes of an element's length field. */
    public static final int ELEMENT_LENGTH_BYTES = 4;
    /** The fewest bytes one element takes: its length and a tag. */
    public static final int MIN_ELEMENT_BYTES = ELEMENT_LENGTH_BYTES + 1;

    /** Container kinds (see the table above). */
    public static final byte KIND_ARRAY_LIST = 0x00;
    public static final byte KIND_IMMUTABLE_LIST = 0x01;
    public static final byte KIND_HASH = 0x00;
    public static final byte KIND_LINKED = 0x01;
    public static final byte KIND_IMMUTABLE = 0x02;

    /** The size of the body of a fixed-size tag, or -1 for a tag whose body runs to the end. */
    public static int bodySize(byte tag) {
        return switch (tag) {
            case NULL, FALSE, TRUE -> 0;
            case BYTE -> 1;
            case SHORT, CHAR -> 2;
            case INT, FLOAT -> 4;
            case LONG, DOUBLE -> 8;
            default -> -1;
        };
    }

    /** A name of {@code tag} for error messages. */
    public static String tagName(int tag) {
        return switch (tag) {
            case NULL -> "NULL";
            case FALSE -> "FALSE";
            case TRUE -> "TRUE";
            case BYTE -> "BYTE";
            case SHORT -> "SHORT";
            case CHAR -> "CHAR";
            case INT -> "INT";
            case LONG -> "LONG";
            case FLOAT -> "FLOAT";
            case DOUBLE -> "DOUBLE";
            case STRING -> "STRING";
            case STRING16 -> "STRING16";
            case BYTES -> "BYTES";
            case SERIAL -> "SERIAL";
            case LIST -> "LIST";
            case SET -> "SET";
            case MAP -> "MAP";
            default -> String.format("0x%02X", tag & 0xFF);
        };
    }
}
