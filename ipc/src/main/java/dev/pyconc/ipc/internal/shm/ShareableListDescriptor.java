package dev.pyconc.ipc.internal.shm;

/**
 * The layout of a {@code ShareableList} in its {@code SharedMemory} segment (no pyconc header:
 * the segment is an ordinary user segment that this format fills). Each item has fixed storage,
 * decided at creation (8 bytes, or the UTF-8 / byte length of a string or byte array rounded up to
 * 8), and a tag that says what the item holds now.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Magic "pyconcSL" (long)                     |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Format version (int)                      |  8
 *  +---------------------------------------------------------------+
 *  |                      Item count (int)                         | 12
 *  +---------------------------------------------------------------+
 *  |                reserved up to byte 32                         | 16
 *  +---------------------------------------------------------------+
 *  |  Index entry 0: Tag: type (high 32) | length (low 32) (long)  | 32
 *  |                 Storage offset from segment start (long)      |
 *  |                 Storage capacity in bytes (long)              |
 *  +---------------------------------------------------------------+
 *  |  Index entry 1 ... (24 bytes each)                            | 56
 *  ...                                                           ...
 *  +---------------------------------------------------------------+
 *  |  Storage of item 0, 8-byte aligned                            | DATA
 *  ...                                                           ...
 * </pre>
 *
 * <p>Writing an item stores its payload, then its tag with a release store, in one 64-bit word
 * (type and length together); a reader loads the tag with acquire semantics, so it sees a whole tag
 * and, unless a writer of the same item runs at the same time (a race Python's ShareableList has
 * too; guard such writes with a Lock), the matching payload. Offsets and capacities are written
 * once; a peer that attaches checks that every item's storage lies inside the segment, and every
 * read checks the tag's type and that its length fits the capacity.
 */
public final class ShareableListDescriptor {
    public static final long MAGIC_VALUE = 0x7079636F6E63534CL;   // "pyconcSL"
    public static final int VERSION_VALUE = 1;

    public static final int MAGIC = 0;
    public static final int VERSION = 8;
    public static final int COUNT = 12;
    public static final int INDEX = 32;
    public static final int ENTRY_LENGTH = 24;
    /** Within an index entry. */
    public static final int ENTRY_TAG = 0, ENTRY_OFFSET = 8, ENTRY_CAPACITY = 16;

    /** Item types (the tag's high 32 bits). */
    public static final int NONE = 0, INT = 1, LONG = 2, DOUBLE = 3, BOOLEAN = 4, STRING = 5, BYTES = 6;

    private ShareableListDescriptor() {}

    /** Offset of index entry {@code i}. */
    public static long entry(int i) {
        return INDEX + (long) i * ENTRY_LENGTH;
    }

    /** Where the storage of a list of {@code count} items starts. */
    public static long data(int count) {
        return INDEX + (long) count * ENTRY_LENGTH;
    }

    /** A tag. */
    public static long tag(int type, int length) {
        return (long) type << 32 | (length & 0xFFFF_FFFFL);
    }
}
