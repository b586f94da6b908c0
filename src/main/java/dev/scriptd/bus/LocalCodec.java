package dev.scriptd.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Passes an immutable record by reference inside one JVM. Records that are part of the public bus
 * API also have a JSON wire form so they cross a clustered event bus; internal ones refuse it.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;
  private final Function<T, JsonObject> toJson;
  private final Function<JsonObject, T> fromJson;

  private LocalCodec(Class<T> type, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    this.type = type;
    this.toJson = toJson;
    this.fromJson = fromJson;
  }

  public static <T> LocalCodec<T> localOnly(Class<T> type) {
    return new LocalCodec<>(type, null, null);
  }

  public static <T> LocalCodec<T> withWireForm(Class<T> type, Function<T, JsonObject> toJson,
      Function<JsonObject, T> fromJson) {
    return new LocalCodec<>(type, toJson, fromJson);
  }

  public Class<T> type() {
    return type;
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    if (toJson == null) {
      throw new UnsupportedOperationException(type.getName() + " is for local delivery only");
    }
    Buffer json = toJson.apply(value).toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    if (fromJson == null) {
      throw new UnsupportedOperationException(type.getName() + " is for local delivery only");
    }
    int length = buffer.getInt(pos);
    return fromJson.apply(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "scriptd-" + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
