package io.evidentsource.deploy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The IAM actions the server's code can call, found in its bytecode: every call from an {@code
 * io.evidentsource} class of the image to an AWS SDK v2 service client, waiter or transaction item
 * builder, mapped to the IAM action that authorizes it. A call the mapping does not know fails the
 * scan, so a new AWS call cannot slip past the Terraform IAM check.
 */
final class AwsActionsUsed {
  private static final Pattern CLIENT =
      Pattern.compile("software\\.amazon\\.awssdk\\.services\\.(\\w+)\\.\\w+Client");
  private static final Pattern WAITER =
      Pattern.compile("software\\.amazon\\.awssdk\\.services\\.(\\w+)\\.waiters\\.\\w+Waiter");
  private static final String TRANSACT_WRITE_ITEM =
      "software.amazon.awssdk.services.dynamodb.model.TransactWriteItem$Builder";

  /** IAM service prefix by SDK package. */
  private static final Map<String, String> SERVICES =
      Map.of("dynamodb", "dynamodb", "s3", "s3", "sns", "sns", "sqs", "sqs", "kms", "kms");

  /** Client methods that are not AWS operations. */
  private static final Set<String> NOT_OPERATIONS =
      Set.of(
          "close",
          "serviceName",
          "serviceClientConfiguration",
          "waiter",
          "utilities",
          "builder",
          "create");

  /** What each waiter polls with. */
  private static final Map<String, String> WAITER_OPERATIONS =
      Map.of(
          "waitUntilTableExists", "DescribeTable",
          "waitUntilTableNotExists", "DescribeTable",
          "waitUntilBucketExists", "HeadBucket",
          "waitUntilBucketNotExists", "HeadBucket",
          "waitUntilObjectExists", "HeadObject",
          "waitUntilObjectNotExists", "HeadObject");

  /** Operations authorized by another action than their own name (IAM service references). */
  private static final Map<String, String> AUTHORIZED_AS =
      Map.of(
          "s3:HeadBucket", "s3:ListBucket",
          "s3:ListObjectsV2", "s3:ListBucket",
          "s3:HeadObject", "s3:GetObject",
          "dynamodb:TransactGetItems", "dynamodb:GetItem");

  /**
   * The items of a TransactWriteItems call: authorized by the item actions (DynamoDB "Using IAM
   * with transactions"), not by an action of its own.
   */
  private static final Map<String, String> TRANSACTION_ITEMS =
      Map.of(
          "put", "dynamodb:PutItem",
          "update", "dynamodb:UpdateItem",
          "delete", "dynamodb:DeleteItem",
          "conditionCheck", "dynamodb:ConditionCheckItem");

  private AwsActionsUsed() {}

  /** IAM action → the methods that call it, for the classes in the image's application jars. */
  static Map<String, Set<String>> in(Path applicationDir) {
    var jars = new ArrayList<JarFile>();
    try (Stream<Path> libs = Files.list(applicationDir.resolve("lib"))) {
      jars.add(new JarFile(applicationDir.resolve("evidentsource-server.jar").toFile()));
      for (Path lib : (Iterable<Path>) libs::iterator) {
        if (lib.getFileName().toString().startsWith("evidentsource-")) {
          jars.add(new JarFile(lib.toFile()));
        }
      }
      var classes = new ClassFileImporter().importJars(jars.toArray(JarFile[]::new));
      var actions = new TreeMap<String, Set<String>>();
      for (JavaClass c : classes) {
        if (!c.getPackageName().startsWith("io.evidentsource")) {
          continue;
        }
        for (JavaMethodCall call : c.getMethodCallsFromSelf()) {
          String action = actionOf(call);
          if (action != null) {
            actions
                .computeIfAbsent(action, a -> new TreeSet<>())
                .add(call.getOrigin().getFullName());
          }
        }
      }
      return actions;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (JarFile jar : jars) {
        try {
          jar.close();
        } catch (IOException ignored) {
          // read only
        }
      }
    }
  }

  private static String actionOf(JavaMethodCall call) {
    String owner = call.getTargetOwner().getName();
    String method = call.getName();
    if (owner.equals(TRANSACT_WRITE_ITEM)) {
      return TRANSACTION_ITEMS.get(method);
    }
    Matcher waiter = WAITER.matcher(owner);
    if (waiter.matches()) {
      String operation = WAITER_OPERATIONS.get(method);
      if (operation == null) {
        throw unknown(call);
      }
      return authorizedAs(service(waiter.group(1), call), operation);
    }
    Matcher client = CLIENT.matcher(owner);
    if (!client.matches() || NOT_OPERATIONS.contains(method)) {
      return null;
    }
    String service = service(client.group(1), call);
    String operation = method.replaceFirst("(AsBytes|Paginator)$", "");
    operation = operation.substring(0, 1).toUpperCase(Locale.ROOT) + operation.substring(1);
    if (service.equals("dynamodb") && operation.equals("TransactWriteItems")) {
      return null; // authorized by its items (TRANSACTION_ITEMS)
    }
    return authorizedAs(service, operation);
  }

  private static String authorizedAs(String service, String operation) {
    String action = service + ":" + operation;
    return AUTHORIZED_AS.getOrDefault(action, action);
  }

  private static String service(String sdkPackage, JavaMethodCall call) {
    String service = SERVICES.get(sdkPackage);
    if (service == null) {
      throw unknown(call);
    }
    return service;
  }

  private static IllegalStateException unknown(JavaMethodCall call) {
    return new IllegalStateException(
        "AwsActionsUsed does not know which IAM action authorizes "
            + call.getTarget().getFullName()
            + " (called by "
            + call.getOrigin().getFullName()
            + "); add it to the mapping");
  }
}
