/*
 * One method of Helidon's io.helidon.common.buffers.DataReader (4.1.7), rewritten in the jar that jlink.sh puts in
 * the image, with the JDK's class-file API (java.lang.classfile): no other tool, no source of Helidon's.
 *
 *   java patches/HelidonDataReaderPatch.java JAR           patches the jar in place (again: nothing to do)
 *   java patches/HelidonDataReaderPatch.java --check JAR   exit 0 if the jar is patched, 1 if not
 *
 * Why. DataReader keeps what it has read from a connection as a linked list of nodes. ensureAvailable() moves the
 * list's head past a used node without clearing that node's link to the next one:
 *
 *     while (!head.hasAvailable()) {
 *         if (head.next == null) {
 *             pullData();            // blocks on the socket; then head.next is the new node
 *         }
 *         head = head.next;          // the used node still points at it
 *     }
 *
 * The used node is garbage, but a young collection takes every reference from the old generation as live. So once
 * one node of a connection has been promoted (it was the head for 15 young collections: a keep-alive connection
 * idle for a moment under load, or any connection when a full collection compacts the heap), the next node, which
 * it points at, survives every young collection until it is promoted too, and so on: from then on every byte that
 * connection reads ends up in the old generation, until a full collection. Under the benchmark this grew the old
 * generation by 15-30 MB in a third of the runs (heap histograms: 377,417 DataReader$Node against 26-55 thousand),
 * and behind a load balancer, whose connections idle for seconds between requests, it would in every hour.
 *
 * The patch: the same loop, clearing the used node's link as the head moves past it.
 *
 *     while (!head.hasAvailable()) {
 *         if (head.next == null) {
 *             pullData();
 *         }
 *         Node used = head;
 *         head = used.next;
 *         used.next = null;
 *     }
 *
 * Nothing else reaches a used node: every other method walks the list from head. The patch checks the method's
 * instructions before it changes them and fails if they are not the ones above, so a Helidon upgrade that changes
 * DataReader stops the build here: then see whether Helidon fixed it (drop this patch and its line in jlink.sh) or
 * write the patch anew. The jar is a module on the module path as before; the AOT cache is trained on the patched
 * jar. Tests: HelidonDataReaderPatchTest (inventory.app) runs this file on Helidon's jar, and LinkedImageIT checks
 * the image's jar with --check.
 */

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

public class HelidonDataReaderPatch {

    static final String ENTRY = "io/helidon/common/buffers/DataReader.class";
    static final ClassDesc READER = ClassDesc.of("io.helidon.common.buffers.DataReader");
    static final ClassDesc NODE = ClassDesc.of("io.helidon.common.buffers.DataReader$Node");

    /** ensureAvailable's instructions in Helidon 4.1.7, branch targets left out. */
    static final List<String> ORIGINAL = List.of(
            "ALOAD_0", "GETFIELD DataReader.head", "INVOKEVIRTUAL DataReader$Node.hasAvailable", "IFNE",
            "ALOAD_0", "GETFIELD DataReader.head", "GETFIELD DataReader$Node.next", "IFNONNULL",
            "ALOAD_0", "INVOKEVIRTUAL DataReader.pullData",
            "ALOAD_0", "ALOAD_0", "GETFIELD DataReader.head", "GETFIELD DataReader$Node.next",
            "PUTFIELD DataReader.head", "GOTO", "RETURN");
    /** The same, patched. */
    static final List<String> PATCHED = List.of(
            "ALOAD_0", "GETFIELD DataReader.head", "INVOKEVIRTUAL DataReader$Node.hasAvailable", "IFNE",
            "ALOAD_0", "GETFIELD DataReader.head", "GETFIELD DataReader$Node.next", "IFNONNULL",
            "ALOAD_0", "INVOKEVIRTUAL DataReader.pullData",
            "ALOAD_0", "GETFIELD DataReader.head", "ASTORE_1",
            "ALOAD_0", "ALOAD_1", "GETFIELD DataReader$Node.next", "PUTFIELD DataReader.head",
            "ALOAD_1", "ACONST_NULL", "PUTFIELD DataReader$Node.next",
            "GOTO", "RETURN");

    public static void main(String[] args) throws IOException {
        boolean check = args.length == 2 && args[0].equals("--check");
        if (args.length != (check ? 2 : 1)) {
            System.err.println("usage: java HelidonDataReaderPatch.java [--check] helidon-common-buffers-VERSION.jar");
            System.exit(2);
        }
        Path jar = Path.of(args[check ? 1 : 0]);
        try (FileSystem zip = FileSystems.newFileSystem(jar)) {
            Path entry = zip.getPath(ENTRY);
            byte[] bytes = Files.readAllBytes(entry);
            List<String> now = instructions(ClassFile.of().parse(bytes));
            if (now.equals(PATCHED)) {
                System.out.println(jar.getFileName() + ": DataReader.ensureAvailable is patched");
                return;
            }
            if (check) {
                System.err.println(jar.getFileName() + ": DataReader.ensureAvailable is not patched");
                System.exit(1);
            }
            if (!now.equals(ORIGINAL)) {
                System.err.println(jar.getFileName() + ": DataReader.ensureAvailable is not the method this patch was"
                        + " written for (Helidon 4.1.7); see patches/HelidonDataReaderPatch.java. It is now: " + now);
                System.exit(1);
            }
            Files.write(entry, patch(bytes));
        }
        System.out.println(jar.getFileName() + ": DataReader.ensureAvailable patched");
    }

    /** ensureAvailable's instructions, as in {@link #ORIGINAL}. */
    static List<String> instructions(ClassModel reader) {
        CodeModel code = ensureAvailable(reader).code().orElseThrow();
        return code.elementStream()
                .filter(e -> e instanceof Instruction)
                .map(e -> describe((Instruction) e))
                .toList();
    }

    private static MethodModel ensureAvailable(ClassModel reader) {
        return reader.methods().stream()
                .filter(m -> m.methodName().equalsString("ensureAvailable") && m.methodType().equalsString("()V"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("DataReader has no ensureAvailable()"));
    }

    private static String describe(Instruction i) {
        String op = i.opcode().name();
        return switch (i) {
            case FieldInstruction f -> op + " " + f.owner().asSymbol().displayName() + "." + f.name().stringValue();
            case InvokeInstruction m -> op + " " + m.owner().asSymbol().displayName() + "." + m.name().stringValue();
            default -> op;
        };
    }

    /** The class with ensureAvailable rewritten; everything else as it was. */
    static byte[] patch(byte[] bytes) {
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.of(List.of(), Map.of(READER, ConstantDescs.CD_Object,
                                                             NODE, ConstantDescs.CD_Object))));
        ClassModel model = cf.parse(bytes);
        MethodModel original = ensureAvailable(model);
        return cf.transformClass(model, (builder, element) -> {
            if (element != original) {
                builder.with(element);
                return;
            }
            builder.withMethodBody("ensureAvailable", ConstantDescs.MTD_void, original.flags().flagsMask(), code -> {
                Label loop = code.newLabel();
                Label pulled = code.newLabel();
                Label done = code.newLabel();
                code.labelBinding(loop)
                        .aload(0).getfield(READER, "head", NODE)
                        .invokevirtual(NODE, "hasAvailable", MethodTypeDesc.of(ConstantDescs.CD_boolean))
                        .ifne(done)
                        .aload(0).getfield(READER, "head", NODE).getfield(NODE, "next", NODE)
                        .ifnonnull(pulled)
                        .aload(0).invokevirtual(READER, "pullData", ConstantDescs.MTD_void)
                        .labelBinding(pulled)
                        .aload(0).getfield(READER, "head", NODE).astore(1)
                        .aload(0).aload(1).getfield(NODE, "next", NODE).putfield(READER, "head", NODE)
                        .aload(1).aconst_null().putfield(NODE, "next", NODE)
                        .goto_(loop)
                        .labelBinding(done)
                        .return_();
            });
        });
    }
}
