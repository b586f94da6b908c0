package dev.scriptd.auth;

import java.util.List;

/** Every stored token, oldest first (reply of DB_LIST_TOKENS). */
public record TokenList(List<ApiToken> items) {
  public TokenList {
    items = List.copyOf(items);
  }
}
